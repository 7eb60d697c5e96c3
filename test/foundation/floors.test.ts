/** The bench's floors: no auth, no I/O; the write floor reads and parses a JSON body. */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const call = (path: string, init?: RequestInit) =>
  exports.default.fetch(new Request(`https://api.test${path}`, init));

describe("floors", () => {
  it("serves the read floor and the write floor without a key", async () => {
    const read = await call("/healthz");
    expect(read.status).toBe(200);
    const write = await call("/healthz/write", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(150) }),
    });
    expect(write.status, await write.clone().text()).toBe(200);
    expect(await write.json()).toEqual({ ok: true });
  });

  it("parses the body: malformed JSON is a 400 envelope, never a 500", async () => {
    const res = await call("/healthz/write", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "VALIDATION" } });
  });
});

describe("the bench's throughput probe", () => {
  it("does not exist unless SERVER_TIMING=1 (never in production)", async () => {
    const res = await call("/healthz/bench/authority-serial", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1 }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
