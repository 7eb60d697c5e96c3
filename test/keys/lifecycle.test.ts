import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { keyGuard } from "../../src/objects/key-guard";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditRows } from "./fixtures";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

interface MintedKey {
  apiKeyId: string;
  key: string;
  prefix: string;
  lastFour: string;
  scopes: string[];
  previousSecretExpiresAt: string | null;
  [field: string]: unknown;
}

const mint = (body: Record<string, unknown>, key = tenant.keys.customer) =>
  api<MintedKey>("POST", "/v1/api-keys", { key, body });
const partnerKeyBody = {
  name: "Acme Growth",
  scopes: ["ads:read", "jobs:read"],
  env: "test",
  actorType: "partner",
  rateLimitTier: "standard",
  returnUrlAllowlist: ["https://app.acme.example/oauth/", "http://localhost:3000"],
};
const whoami = (key: string) => api("GET", "/v1/whoami", { key });

describe("key lifecycle, end to end", () => {
  it("a customer key mints a partner key, the partner uses it, the customer rotates and revokes it", async () => {
    const created = await mint(partnerKeyBody);
    expect(created.status, created.text).toBe(201);
    const partnerKey = created.body.key;
    const keyId = created.body.apiKeyId;
    expect(partnerKey).toMatch(new RegExp(`^lp_test_${keyId}_[0-9a-f]{64}$`));
    expect(created.body).toMatchObject({
      prefix: `lp_test_${keyId}`,
      lastFour: partnerKey.slice(-4),
      actorType: "partner",
      scopes: ["ads:read", "jobs:read"],
      returnUrlAllowlist: partnerKeyBody.returnUrlAllowlist,
      revokedAt: null,
      killedAt: null,
    });

    const used = await whoami(partnerKey);
    expect(used.status, used.text).toBe(200);
    expect(used.body).toMatchObject({ apiKeyId: keyId, actorType: "partner", rateLimitTier: "standard" });

    const one = await api("GET", `/v1/api-keys/${keyId}`, { key: tenant.keys.customer });
    expect(one.status, one.text).toBe(200);
    expect(one.text).not.toContain(partnerKey.split("_").at(-1) as string);
    expect(one.body.lastUsedAt).toEqual(expect.any(String));
    const list = await api<{ items: { apiKeyId: string }[]; nextCursor: string | null }>(
      "GET",
      "/v1/api-keys",
      {
        key: tenant.keys.customer,
      },
    );
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((k) => k.apiKeyId)).toContain(keyId);
    expect(list.text).not.toContain(partnerKey.split("_").at(-1) as string);

    const rotated = await api<MintedKey>("POST", `/v1/api-keys/${keyId}/rotate`, {
      key: tenant.keys.customer,
    });
    expect(rotated.status, rotated.text).toBe(200);
    const newKey = rotated.body.key;
    expect(newKey).not.toBe(partnerKey);
    const grace = Date.parse(rotated.body.previousSecretExpiresAt ?? "") - Date.now();
    expect(grace).toBeGreaterThan(23 * 3600_000);
    expect(grace).toBeLessThanOrEqual(24 * 3600_000);
    expect((await whoami(newKey)).status).toBe(200);
    expect((await whoami(partnerKey)).status, "the old secret works through the grace period").toBe(200);

    const revoked = await api("DELETE", `/v1/api-keys/${keyId}`, { key: tenant.keys.customer });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expectError(await whoami(newKey), 401, "UNAUTHENTICATED");
    expectError(await whoami(partnerKey), 401, "UNAUTHENTICATED");

    for (const eventType of ["api_key.created", "api_key.rotated", "api_key.revoked"]) {
      const events = (await auditRows(tenant.organizationId, eventType)).filter(
        (e) => e.data.targetApiKeyId === keyId,
      );
      expect(events, eventType).toHaveLength(1);
    }
  });

  it("revocation holds on the very next request even where the key's row is still cached", async () => {
    const { body } = await mint(partnerKeyBody);
    expect((await whoami(body.key)).status).toBe(200);
    // As if another isolate revoked it: this isolate's row cache is untouched.
    await keyGuard(env, body.apiKeyId).revoke(
      {
        organizationId: tenant.organizationId,
        requestId: null,
        actorApiKeyId: tenant.keyIds.customer,
        actorType: "user",
      },
      body.apiKeyId,
    );
    expectError(await whoami(body.key), 401, "UNAUTHENTICATED");
  });

  it("ends the old secret on its next request even where the key's row is still cached", async () => {
    const { body } = await mint(partnerKeyBody);
    expect((await whoami(body.key)).status).toBe(200);
    // As if another isolate rotated it with no grace: this isolate's row cache is untouched.
    const secret = "ab".repeat(32);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
    const secretHash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    await keyGuard(env, body.apiKeyId).rotate(
      {
        organizationId: tenant.organizationId,
        requestId: null,
        actorApiKeyId: tenant.keyIds.customer,
        actorType: "user",
      },
      body.apiKeyId,
      { secretHash, secretLastFour: "abab", previousSecretHash: null, previousSecretExpiresAt: null },
    );
    expectError(await whoami(body.key), 401, "UNAUTHENTICATED");
    expect((await whoami(`lp_test_${body.apiKeyId}_${secret}`)).status).toBe(200);
  });

  it("ends the old secret at once with a zero grace period, and caps the grace at 7 days", async () => {
    const { body } = await mint(partnerKeyBody);
    expect((await whoami(body.key)).status).toBe(200);
    const tooLong = await api("POST", `/v1/api-keys/${body.apiKeyId}/rotate`, {
      key: tenant.keys.customer,
      body: { gracePeriodSeconds: 7 * 24 * 3600 + 1 },
    });
    expectError(tooLong, 422, "VALIDATION");
    const rotated = await api<MintedKey>("POST", `/v1/api-keys/${body.apiKeyId}/rotate`, {
      key: tenant.keys.customer,
      body: { gracePeriodSeconds: 0 },
    });
    expect(rotated.status, rotated.text).toBe(200);
    expectError(await whoami(body.key), 401, "UNAUTHENTICATED");
    expect((await whoami(rotated.body.key)).status).toBe(200);
  });

  it("refuses an expired key with 401", async () => {
    const { body, status, text } = await mint({
      ...partnerKeyBody,
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect(status, text).toBe(201);
    expect((await whoami(body.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const res = await whoami(body.key);
    expectError(res, 401, "UNAUTHENTICATED");
    expect(res.text).toContain("expired");
  });
});

describe("secrets are shown once", () => {
  it("never stores or replays a minted secret under an Idempotency-Key", async () => {
    const send = () =>
      api<MintedKey>("POST", "/v1/api-keys", {
        key: tenant.keys.customer,
        body: partnerKeyBody,
        headers: { "Idempotency-Key": "mint-once" },
      });
    const first = await send();
    expect(first.status, first.text).toBe(201);
    const again = await send();
    // A replay is byte-for-byte the stored answer (its body names the first request's id).
    expect(again.status, again.text).toBe(409);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(JSON.parse(again.text).error).toMatchObject({
      code: "CONFLICT",
      details: { apiKeyId: first.body.apiKeyId },
    });
    expect(again.text).not.toContain(first.body.key.split("_").at(-1) as string);
    // Idempotency records live in the calling key's IdempotencyObject: none holds the secret.
    const stub = env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(tenant.keyIds.customer));
    const stored = await runInDurableObject(stub, (_o, state) =>
      JSON.stringify([...state.storage.kv.list({ prefix: "rec:" })]),
    );
    expect(stored).toContain("mint-once");
    expect(stored).not.toContain(first.body.key.split("_").at(-1) as string);
  });
});

describe("who may mint what", () => {
  it("never lets a partner key mint, rotate, list or revoke keys", async () => {
    const strong = await tenant.addKey({ scopes: ["*"] });
    const details = expectError(await mint(partnerKeyBody, strong.key), 403, "FORBIDDEN_SCOPE");
    expect(details.requiredActorType).toBe("user");
    expectError(await api("GET", "/v1/api-keys", { key: strong.key }), 403, "FORBIDDEN_SCOPE");
    expectError(
      await api("DELETE", `/v1/api-keys/${tenant.keyIds.partner}`, { key: strong.key }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expectError(await mint(partnerKeyBody, tenant.keys.partner), 403, "FORBIDDEN_SCOPE");
  });

  it("refuses scopes or a tier wider than the caller's, keys:write on a partner key, and bad return URLs", async () => {
    const narrow = await tenant.addKey({
      actorType: "user",
      scopes: ["keys:write", "ads:read"],
      rateLimitTier: "pilot",
    });
    const wider = expectError(
      await mint({ ...partnerKeyBody, scopes: ["ads:read", "ads:write:budgets"] }, narrow.key),
      422,
      "VALIDATION",
    );
    expect(JSON.stringify(wider.issues)).toContain("ads:write:budgets");
    expectError(await mint({ ...partnerKeyBody, scopes: ["*"] }, narrow.key), 422, "VALIDATION");
    expectError(await mint({ ...partnerKeyBody, rateLimitTier: "partner" }, narrow.key), 422, "VALIDATION");
    expectError(await mint({ ...partnerKeyBody, scopes: ["keys:write"] }), 422, "VALIDATION");
    expectError(await mint({ ...partnerKeyBody, env: "live" }), 422, "VALIDATION");
    for (const url of ["javascript:alert(1)", "http://evil.example", "https://user:pw@acme.example"]) {
      expectError(await mint({ ...partnerKeyBody, returnUrlAllowlist: [url] }), 422, "VALIDATION");
    }
    expect((await mint({ ...partnerKeyBody, scopes: ["ads:read"] }, narrow.key)).status).toBe(201);
  });

  it("answers 404 for another organization's key", async () => {
    const other = await createTenant();
    expectError(
      await api("GET", `/v1/api-keys/${other.keyIds.partner}`, { key: tenant.keys.customer }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("DELETE", `/v1/api-keys/${other.keyIds.partner}`, { key: tenant.keys.customer }),
      404,
      "NOT_FOUND",
    );
    expect((await whoami(other.keys.partner)).status).toBe(200);
  });
});
