import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditRows, inGuard } from "../keys/fixtures";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

const forge = (key: string, digit: string) => key.replace(/_[0-9a-f]{64}$/, `_${digit.repeat(64)}`);
const RATE_HEADERS = [
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "X-RateLimit-Endpoint-Class",
];

describe("failed authentications", () => {
  it("aggregate into one auth.failed event per key per minute, with a count", async () => {
    const victim = await tenant.addKey();
    for (let i = 0; i < 25; i++) {
      expectError(await api("GET", "/v1/whoami", { key: forge(victim.key, "7") }), 401, "UNAUTHENTICATED");
    }
    const mine = async () =>
      (await auditRows(tenant.organizationId, "auth.failed")).filter((e) => e.apiKeyId === victim.keyId);
    expect(await mine()).toHaveLength(0);
    await inGuard(victim.keyId, (g) => g.flushAuthFailuresNow());
    const events = await mine();
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ count: 25, reasons: { secret_mismatch: 25 } });
  });

  it("answer a known and an unknown key id the same way, with the limit headers", async () => {
    const known = await api("GET", "/v1/whoami", { key: forge(tenant.keys.partner, "3") });
    const unknown = await api("GET", "/v1/whoami", {
      key: `lp_test_key_01JD9999999999999999999998_${"3".repeat(64)}`,
    });
    for (const res of [known, unknown]) {
      expectError(res, 401, "UNAUTHENTICATED");
      for (const name of RATE_HEADERS) expect(res.headers.get(name), name).not.toBeNull();
      expect(res.headers.get("X-RateLimit-Endpoint-Class")).toBe("read");
    }
    expect((known.body as { error: { message: string } }).error.message).toBe(
      (unknown.body as { error: { message: string } }).error.message,
    );
  });

  it("are rate-limited under the presented key id without spending the key's own limit", async () => {
    const victim = await tenant.addKey({ rateLimitTier: "standard" });
    const res = await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key: forge(victim.key, "5") });
    expectError(res, 401, "UNAUTHENTICATED");
    expect(res.headers.get("X-RateLimit-Endpoint-Class")).toBe("write");
    const ok = await api("GET", "/v1/whoami", { key: victim.key });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("X-RateLimit-Remaining")).toBe("119");
  });
});

describe("the Authorization header", () => {
  it.each(["bearer", "BEARER", "BeArEr"])(
    "accepts the %s scheme (case-insensitive, RFC 9110)",
    async (scheme) => {
      const res = await api("GET", "/v1/whoami", {
        headers: { Authorization: `${scheme} ${tenant.keys.partner}` },
      });
      expect(res.status, res.text).toBe(200);
    },
  );
});

describe("X-RateLimit-* headers on every answer of a known endpoint class", () => {
  it("on a 401 without any key", async () => {
    const res = await api("GET", "/v1/whoami");
    expectError(res, 401, "UNAUTHENTICATED");
    for (const name of RATE_HEADERS) expect(res.headers.get(name), name).not.toBeNull();
  });

  it("on a killed key's 503", async () => {
    const victim = await tenant.addKey();
    expect((await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key: victim.key })).status).toBe(200);
    const res = await api("GET", "/v1/whoami", { key: victim.key });
    expectError(res, 503, "KILL_SWITCH");
    for (const name of RATE_HEADERS) expect(res.headers.get(name), name).not.toBeNull();
  });

  it("on an idempotent replay", async () => {
    const victim = await tenant.addKey();
    const send = () =>
      api("POST", `/v1/api-keys/${victim.keyId}/kill`, {
        key: tenant.keys.partner,
        headers: { "Idempotency-Key": "kill-once" },
      });
    const first = await send();
    expect(first.status, first.text).toBe(200);
    const replay = await send();
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    for (const name of RATE_HEADERS) expect(replay.headers.get(name), name).not.toBeNull();
    expect(Number(replay.headers.get("X-RateLimit-Remaining"))).toBeLessThan(
      Number(first.headers.get("X-RateLimit-Remaining")),
    );
  });
});
