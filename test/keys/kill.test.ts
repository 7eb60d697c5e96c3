import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditRows, failSinks, inGuard, keyRow } from "./fixtures";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

const kill = (keyId: string, key: string) => api("POST", `/v1/api-keys/${keyId}/kill`, { key });
const unkill = (keyId: string, key: string) => api("POST", `/v1/api-keys/${keyId}/unkill`, { key });
const whoami = (key: string) => api("GET", "/v1/whoami", { key });

describe("kill scoping", () => {
  it("refuses a partner key (read-only, or with no scopes) that tries to kill a customer key", async () => {
    const noScopes = await tenant.addKey({ scopes: [] });
    for (const key of [tenant.keys.readOnly, noScopes.key, tenant.keys.partner]) {
      const details = expectError(await kill(tenant.keyIds.customer, key), 403, "FORBIDDEN_SCOPE");
      expect(details.requiredActorType).toBe("user");
    }
    expect((await whoami(tenant.keys.customer)).status).toBe(200);
    expect(await auditRows(tenant.organizationId, "api_key.killed")).toHaveLength(0);
  });

  it("lets any key of the organization kill a partner key (the emergency brake)", async () => {
    const victim = await tenant.addKey();
    const res = await kill(victim.keyId, tenant.keys.readOnly);
    expect(res.status, res.text).toBe(200);
    expectError(await whoami(victim.key), 503, "KILL_SWITCH");
  });

  it("lets a customer key kill a customer key", async () => {
    const other = await tenant.addKey({ actorType: "user", scopes: ["*"] });
    expect((await kill(other.keyId, tenant.keys.customer)).status).toBe(200);
    expectError(await whoami(other.key), 503, "KILL_SWITCH");
  });
});

describe("unkill", () => {
  it("reactivates a killed key for the customer only, audited once", async () => {
    const victim = await tenant.addKey();
    expect((await kill(victim.keyId, tenant.keys.partner)).status).toBe(200);
    expectError(await unkill(victim.keyId, tenant.keys.partner), 403, "FORBIDDEN_SCOPE");
    expectError(await whoami(victim.key), 503, "KILL_SWITCH");

    const res = await unkill(victim.keyId, tenant.keys.customer);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ apiKeyId: victim.keyId, killed: false });
    expect((await whoami(victim.key)).status).toBe(200);
    expect((await keyRow(victim.keyId))?.killedAt).toBeNull();
    expect((await unkill(victim.keyId, tenant.keys.customer)).status).toBe(200);
    const events = await auditRows(tenant.organizationId, "api_key.unkilled");
    expect(events.filter((e) => e.data.targetApiKeyId === victim.keyId)).toHaveLength(1);
    // Killable again after an unkill.
    expect((await kill(victim.keyId, tenant.keys.partner)).status).toBe(200);
    expectError(await whoami(victim.key), 503, "KILL_SWITCH");
  });

  it("needs keys:write and answers 404 for other organizations' keys", async () => {
    const other = await createTenant();
    expectError(await unkill(other.keyIds.partner, tenant.keys.customer), 404, "NOT_FOUND");
    const narrowCustomer = await tenant.addKey({ actorType: "user", scopes: ["ads:read"] });
    const victim = await tenant.addKey();
    const details = expectError(await unkill(victim.keyId, narrowCustomer.key), 403, "FORBIDDEN_SCOPE");
    expect(details.requiredScope).toBe("keys:write");
  });
});

describe("kill through the guard's outbox", () => {
  it("keeps the audit event when the ledger is down, and a retry does not skip it", async () => {
    const victim = await tenant.addKey();
    const sinks = await failSinks(victim.keyId, ["audit"]);
    const first = await kill(victim.keyId, tenant.keys.partner);
    expect(first.status, first.text).toBe(200);
    expectError(await whoami(victim.key), 503, "KILL_SWITCH");
    const retry = await kill(victim.keyId, tenant.keys.partner);
    expect(retry.body.killedAt).toBe(first.body.killedAt);
    const mine = async () =>
      (await auditRows(tenant.organizationId, "api_key.killed")).filter(
        (e) => e.data.targetApiKeyId === victim.keyId,
      );
    expect(await mine()).toHaveLength(0);
    const state = await inGuard(victim.keyId, (g) => g.outboxState());
    expect(state.pending.map((e) => e.effect.sink)).toEqual(["audit"]);
    expect(state.pending[0]?.attempts).toBeGreaterThanOrEqual(1);
    await sinks.restore();
    expect(await mine()).toHaveLength(1);
    expect((await keyRow(victim.keyId))?.killedAt).toBe(first.body.killedAt);
  });

  it("keeps the D1 projection when D1 is down, and delivers it in order with a later unkill", async () => {
    const victim = await tenant.addKey();
    const sinks = await failSinks(victim.keyId, ["d1"]);
    expect((await kill(victim.keyId, tenant.keys.partner)).status).toBe(200);
    expect((await unkill(victim.keyId, tenant.keys.customer)).status).toBe(200);
    expect((await keyRow(victim.keyId))?.killedAt).toBeNull();
    const pending = await inGuard(victim.keyId, (g) => g.outboxState().pending);
    expect(pending.map((e) => e.effect.sink)).toEqual(["d1", "d1"]);
    await sinks.restore();
    // The kill's projection was delivered first, the unkill's last: the row ends active.
    expect((await keyRow(victim.keyId))?.killedAt).toBeNull();
    expect((await whoami(victim.key)).status).toBe(200);
    const killed = await auditRows(tenant.organizationId, "api_key.killed");
    expect(killed.filter((e) => e.data.targetApiKeyId === victim.keyId)).toHaveLength(1);
  });

  it("parks an entry after its last attempt, with an outbox.parked event, instead of retrying forever", async () => {
    const victim = await tenant.addKey();
    await inGuard(victim.keyId, (g) => {
      g.outbox.policy = { backoffBaseSeconds: 1, maxAttempts: 2 };
    });
    const sinks = await failSinks(victim.keyId, ["audit"]);
    expect((await kill(victim.keyId, tenant.keys.partner)).status).toBe(200);
    await inGuard(victim.keyId, (g) => g.outbox.deliver({ ignoreSchedule: true }));
    const state = await inGuard(victim.keyId, (g) => g.outboxState());
    expect(state.parked).toHaveLength(1);
    expect(state.parked[0]?.attempts).toBe(2);
    expect(state.pending.map((e) => (e.effect.sink === "audit" ? e.effect.event.eventType : "d1"))).toEqual([
      "outbox.parked",
    ]);
    await sinks.restore();
    const parked = await auditRows(tenant.organizationId, "outbox.parked");
    expect(parked.filter((e) => e.apiKeyId === tenant.keyIds.partner)).toHaveLength(1);
    // The parked entry stays parked: delivering again does not retry it.
    await inGuard(victim.keyId, (g) => g.outbox.deliver({ ignoreSchedule: true }));
    expect(await inGuard(victim.keyId, (g) => g.outboxState().parked)).toHaveLength(1);
    expect(
      (await auditRows(tenant.organizationId, "api_key.killed")).filter(
        (e) => e.data.targetApiKeyId === victim.keyId,
      ),
    ).toHaveLength(0);
  });
});

describe("lifecycle changes through the guard's outbox", () => {
  const mintPartner = async () => {
    const res = await api<{ apiKeyId: string; key: string }>("POST", "/v1/api-keys", {
      key: tenant.keys.customer,
      body: {
        name: "outbox",
        scopes: ["ads:read"],
        env: "test",
        actorType: "partner",
        rateLimitTier: "standard",
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const eventsFor = async (eventType: string, keyId: string) =>
    (await auditRows(tenant.organizationId, eventType)).filter((e) => e.data.targetApiKeyId === keyId);

  it.each(["d1", "audit"] as const)(
    "revokes at once with %s down, and both the row and the event land later",
    async (down) => {
      const minted = await mintPartner();
      const sinks = await failSinks(minted.apiKeyId, [down]);
      expect(
        (await api("DELETE", `/v1/api-keys/${minted.apiKeyId}`, { key: tenant.keys.customer })).status,
      ).toBe(200);
      expectError(await whoami(minted.key), 401, "UNAUTHENTICATED");
      if (down === "d1") expect((await keyRow(minted.apiKeyId))?.revokedAt).toBeNull();
      else expect(await eventsFor("api_key.revoked", minted.apiKeyId)).toHaveLength(0);
      await sinks.restore();
      expect((await keyRow(minted.apiKeyId))?.revokedAt).toEqual(expect.any(String));
      expect(await eventsFor("api_key.revoked", minted.apiKeyId)).toHaveLength(1);
    },
  );

  it.each(["d1", "audit"] as const)(
    "rotates with %s down: the new secret and the event both land",
    async (down) => {
      const minted = await mintPartner();
      const sinks = await failSinks(minted.apiKeyId, [down]);
      const rotated = await api<{ key: string }>("POST", `/v1/api-keys/${minted.apiKeyId}/rotate`, {
        key: tenant.keys.customer,
      });
      expect(rotated.status, rotated.text).toBe(200);
      await sinks.restore();
      expect((await whoami(rotated.body.key)).status).toBe(200);
      expect(await eventsFor("api_key.rotated", minted.apiKeyId)).toHaveLength(1);
    },
  );
});
