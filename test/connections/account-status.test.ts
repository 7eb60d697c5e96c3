/**
 * Ad account status has one writer, the layer object: a status change and its audit event
 * are committed together and delivered through its outbox, and writes are judged on the
 * status from its memory, never from D1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liveSinks } from "../../src/objects/layer/sinks";
import { type LayerPolicyObject, layerPolicyObject } from "../../src/objects/layer-policy";
import { api, expectError } from "../helpers/http";
import { createBody, createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const HOUR = 3_600_000;
const down = (what: string) => async () => {
  throw new Error(`${what} down`);
};

function inLayer<T>(t: TestTenant, fn: (instance: LayerPolicyObject) => T | Promise<T>): Promise<T> {
  return runInDurableObject(layerPolicyObject(env, t.layerId), fn);
}

async function d1Status(id: string) {
  const row = await env.DB.prepare("SELECT token_status FROM ad_accounts WHERE id = ?")
    .bind(id)
    .first<{ token_status: string }>();
  return row?.token_status;
}

async function disconnectEvents(t: TestTenant, id: string) {
  const { results } = await env.DB.prepare(
    "SELECT data FROM audit_events WHERE organization_id = ? AND event_type = 'ad_account.disconnected'",
  )
    .bind(t.organizationId)
    .all<{ data: string }>();
  return results.filter((r) => r.data.includes(id));
}

/** The ledger copies its rows to D1 right after accepting them: wait for them (bounded). */
async function eventually<T>(read: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 50 && !holds(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

const budget = (t: TestTenant, campaignId: string, dailyBudgetCents: number) =>
  api("PATCH", `/v1/projects/${t.projectId}/ads/meta/campaigns/${campaignId}/budget`, {
    key: t.keys.partner,
    body: { dailyBudgetCents },
  });

const disconnect = (t: TestTenant, id: string) =>
  api<{ tokenStatus: string }>("DELETE", `/v1/projects/${t.projectId}/ads/ad-accounts/${id}`, {
    key: t.keys.customer,
  });

describe("ad account status: one writer, change and audit together", () => {
  it("with D1 and the ledger down, a disconnect holds at once; its status and audit event land together on redelivery", async () => {
    const t = await createTenant();
    const id = t.adAccounts.meta;
    const { campaignId } = await createCampaign(t, "meta");
    expect((await budget(t, campaignId, 6_000)).status).toBe(202);
    await inLayer(t, (o) => {
      o.sinks = { ...liveSinks(env), projectAccounts: down("D1"), appendAudit: down("ledger") };
    });

    const res = await disconnect(t, id);
    expect(res.status, res.text).toBe(200);
    expect(res.body.tokenStatus).toBe("revoked");
    // Neither copy has landed yet...
    expect(await d1Status(id)).toBe("valid");
    expect(await disconnectEvents(t, id)).toHaveLength(0);
    // ...but writes are judged by the single writer: refused at once.
    expect(expectError(await budget(t, campaignId, 7_000), 404, "NOT_FOUND")).toMatchObject({
      reason: "platform_oauth_not_connected",
      tokenStatus: "revoked",
    });

    await inLayer(t, async (o) => {
      o.sinks = liveSinks(env);
      await o.deliverDue(Date.now() + HOUR);
      expect(o.pendingEffects()).toBe(0);
    });
    expect(await d1Status(id)).toBe("revoked");
    const events = await eventually(
      () => disconnectEvents(t, id),
      (e) => e.length > 0,
    );
    expect(events).toHaveLength(1);
  });

  it("with only the ledger down, the status's D1 copy may land first, and its audit event follows on redelivery", async () => {
    const t = await createTenant();
    const id = t.adAccounts.meta;
    await createCampaign(t, "meta");
    await inLayer(t, (o) => {
      o.sinks = { ...liveSinks(env), appendAudit: down("ledger") };
    });
    expect((await disconnect(t, id)).status).toBe(200);
    expect(await d1Status(id)).toBe("revoked");
    await inLayer(t, async (o) => {
      expect(o.pendingEffects()).toBe(1);
      o.sinks = liveSinks(env);
      await o.deliverDue(Date.now() + HOUR);
      expect(o.pendingEffects()).toBe(0);
    });
    expect(
      await eventually(
        () => disconnectEvents(t, id),
        (e) => e.length > 0,
      ),
    ).toHaveLength(1);
  });

  it("writes after a disconnect answer 404 from the writer's memory, whatever D1 says", async () => {
    const t = await createTenant();
    const id = t.adAccounts.meta;
    const { campaignId } = await createCampaign(t, "meta");
    expect((await disconnect(t, id)).status).toBe(200);
    // D1's copy says connected (stale, or edited by hand): no write path reads it.
    await env.DB.prepare("UPDATE ad_accounts SET token_status = 'valid', revoked_at = NULL WHERE id = ?")
      .bind(id)
      .run();
    expect(expectError(await budget(t, campaignId, 6_500), 404, "NOT_FOUND")).toMatchObject({
      reason: "platform_oauth_not_connected",
    });
    const create = await api("POST", `/v1/projects/${t.projectId}/ads/meta/campaigns`, {
      key: t.keys.partner,
      body: createBody(t, "meta"),
    });
    expectError(create, 404, "NOT_FOUND");
    // Another account of the same project still takes writes.
    const tiktok = await createCampaign(t, "tiktok");
    const write = await api(
      "PATCH",
      `/v1/projects/${t.projectId}/ads/tiktok/campaigns/${tiktok.campaignId}/budget`,
      {
        key: t.keys.partner,
        body: { dailyBudgetCents: 6_000 },
      },
    );
    expect(write.status, write.text).toBe(202);
  });
});
