import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/app";

afterEach(() => vi.restoreAllMocks());

describe("an unexpected error", () => {
  it("still leaves one request line (500 INTERNAL), and its error line is scrubbed", async () => {
    const leaked = `lp_live_key_01JD9999999999999999999999_${"c".repeat(64)}`;
    const app = buildApp();
    app.get("/boom/:id", () => {
      throw new Error(`upstream refused ${leaked}`);
    });
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const res = await app.request("https://api.test/boom/42", {}, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    const requestId = res.headers.get("X-Request-Id");

    const requestLines = logs.mock.calls
      .map(([line]) => JSON.parse(String(line)))
      .filter((line) => line.msg === "request");
    expect(requestLines).toEqual([
      expect.objectContaining({ requestId, route: "/boom/:id", status: 500, errorCode: "INTERNAL" }),
    ]);

    expect(errors).toHaveBeenCalledTimes(1);
    const errorLine = String(errors.mock.calls[0]?.[0]);
    expect(errorLine).not.toContain("c".repeat(64));
    expect(JSON.parse(errorLine)).toMatchObject({
      level: "error",
      msg: "unexpected error",
      requestId,
      error: { name: "Error", message: "upstream refused [redacted]" },
    });
  });
});
