import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";

let tenant: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  tenant = await createTenant({ name: "Acme" });
  other = await createTenant({ name: "Other" });
});

describe("authentication", () => {
  it("answers whoami for a valid key", async () => {
    const res = await api("GET", "/v1/whoami", { key: tenant.keys.partner });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      organizationId: tenant.organizationId,
      organizationName: "Acme",
      apiKeyId: tenant.keyIds.partner,
      actorType: "partner",
      scopes: expect.arrayContaining(["ads:read", "ads:write:campaigns"]),
      rateLimitTier: "partner",
      env: "test",
    });
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_[0-9A-Z]{26}$/);
    expect(res.headers.get("X-RateLimit-Endpoint-Class")).toBe("read");
  });

  it.each([
    ["no header", undefined],
    ["not bearer", "Basic abc"],
    ["malformed key", "Bearer lp_test_nonsense"],
    ["unknown key", `Bearer lp_test_key_01JD9999999999999999999999_${"a".repeat(64)}`],
  ])("rejects %s with 401 UNAUTHENTICATED", async (_label, header) => {
    const res = await api("GET", "/v1/whoami", { headers: header ? { Authorization: header } : {} });
    expectError(res, 401, "UNAUTHENTICATED");
  });

  it("rejects a wrong secret for a known key id", async () => {
    const forged = tenant.keys.partner.replace(/_[0-9a-f]{64}$/, `_${"0".repeat(64)}`);
    expectError(await api("GET", "/v1/whoami", { key: forged }), 401, "UNAUTHENTICATED");
  });

  it("rejects a key whose env prefix does not match the stored env", async () => {
    const wrongEnv = tenant.keys.partner.replace(/^lp_test_/, "lp_live_");
    expectError(await api("GET", "/v1/whoami", { key: wrongEnv }), 401, "UNAUTHENTICATED");
  });

  it("never echoes the key in an error body", async () => {
    const forged = tenant.keys.partner.replace(/_[0-9a-f]{64}$/, `_${"1".repeat(64)}`);
    const res = await api("GET", "/v1/whoami", { key: forged });
    expect(res.text).not.toContain("1".repeat(64));
  });
});

describe("kill switch", () => {
  it("kills a key of the same organization at once, idempotently, and audits it", async () => {
    const victim = await tenant.addKey();
    expect((await api("GET", "/v1/whoami", { key: victim.key })).status).toBe(200);
    const first = await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key: tenant.keys.partner });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ apiKeyId: victim.keyId, killed: true });
    const details = expectError(await api("GET", "/v1/whoami", { key: victim.key }), 503, "KILL_SWITCH");
    expect(details).toEqual({ scope: "key" });
    const again = await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key: tenant.keys.customer });
    expect(again.status, again.text).toBe(200);
    expect(again.body.killedAt).toBe(first.body.killedAt);
    const audit = await api<{ items: { eventType: string; data: Record<string, unknown> }[] }>(
      "GET",
      "/v1/audit-log?eventType=api_key.killed",
      { key: tenant.keys.customer },
    );
    if (audit.status === 200) {
      expect(audit.body.items.filter((e) => e.data.killedApiKeyId === victim.keyId)).toHaveLength(1);
    }
  });

  it("cannot reach another organization's key", async () => {
    const res = await api("POST", `/v1/api-keys/${other.keyIds.partner}/kill`, { key: tenant.keys.partner });
    expectError(res, 404, "NOT_FOUND");
    expect((await api("GET", "/v1/whoami", { key: other.keys.partner })).status).toBe(200);
  });

  it("answers 404 for a malformed key id", async () => {
    expectError(await api("POST", "/v1/api-keys/nope/kill", { key: tenant.keys.partner }), 404, "NOT_FOUND");
  });
});

describe("scopes", () => {
  it("denies by default when the route's scope is missing", async () => {
    // Killing needs no special scope (a key may kill itself); listing ad accounts needs ads:read.
    const selfKiller = await tenant.addKey({ scopes: ["jobs:read"] });
    const res = await api("POST", `/v1/api-keys/${selfKiller.keyId}/kill`, { key: selfKiller.key });
    expect(res.status, res.text).toBe(200);
    const noScopes = await tenant.addKey({ scopes: [] });
    const details = expectError(
      await api("GET", `/v1/projects/${tenant.projectId}/ads/ad-accounts`, { key: noScopes.key }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expect(details).toEqual({ requiredScope: "ads:read" });
  });
});
