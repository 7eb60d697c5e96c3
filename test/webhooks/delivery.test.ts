import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import type { AuditLedgerObject } from "../../src/objects/audit-ledger";
import { auditLedger, recordAudit } from "../../src/objects/audit-ledger";
import { auditEvent } from "../audit/fixtures";
import { api } from "../helpers/http";
import { createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  type Delivery,
  deliveries,
  type Endpoint,
  receiver,
  receiverUrl,
  registerEndpoint,
  until,
} from "./fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const verify = (secret: string, r: { body: string; headers: Record<string, string> }) =>
  new Webhook(secret).verify(r.body, r.headers) as { id: string; type: string };

async function ping(tenant: TestTenant, endpointId: string) {
  const res = await api<{ eventId: string; delivery: Delivery }>(
    "POST",
    `/v1/webhook-endpoints/${endpointId}/test`,
    {
      key: tenant.keys.customer,
    },
  );
  expect(res.status, res.text).toBe(202);
  return res.body;
}

/** The ledger instance's own env, so a test can make one of its sinks fail. */
const ledgerEnv = (instance: AuditLedgerObject) => (instance as unknown as { env: Env }).env;

describe("webhook deliveries", () => {
  it("creating a campaign delivers a job.completed event signed per Standard Webhooks", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const received = receiver(server, url);
    const endpoint = await registerEndpoint(tenant, {
      url,
      events: ["job.completed", "campaign.status_changed"],
    });
    const c = await createCampaign(tenant, "meta");
    await until("two events", () => received.length >= 2);
    const types = received.map((r) => verify(endpoint.secret, r).type).sort();
    expect(types).toEqual(["campaign.status_changed", "job.completed"]);
    const completed = received.find((r) => r.event.type === "job.completed");
    expect(completed?.event, completed?.body).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      type: "job.completed",
      createdAt: expect.any(String),
      organizationId: tenant.organizationId,
      projectId: tenant.projectId,
      data: {
        campaignId: c.campaignId,
        jobId: c.jobId,
        resourceVersion: expect.any(Number),
        result: { platformCampaignId: expect.any(String) },
      },
    });
    expect(completed?.headers["webhook-id"]).toBe(completed?.event.id);
    expect(completed?.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    const status = received.find((r) => r.event.type === "campaign.status_changed");
    expect(status?.event.data).toMatchObject({ campaignId: c.campaignId, status: "active" });
    expect(() => verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", completed as never)).toThrow();
    const listed = await until("delivered", async () => {
      const items = await deliveries(tenant, endpoint.endpointId);
      return items.length === 2 && items.every((d) => d.status === "delivered") ? items : null;
    });
    expect(listed[0]).toMatchObject({ attempts: 1, lastResponseStatus: 200, nextAttemptAt: null });
  });

  it("only subscribed events of the endpoint's project are delivered", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const received = receiver(server, url);
    const endpoint = await registerEndpoint(tenant, { url, events: ["job.failed"] });
    await createCampaign(tenant, "meta");
    await createCampaign(tenant, "tiktok", { body: { name: "No [sandbox:reject]" } });
    await until("job.failed", () => received.length >= 1);
    const items = await deliveries(tenant, endpoint.endpointId);
    expect(items.map((d) => d.eventType)).toEqual(["job.failed"]);
  });

  it("retries 5xx and timeouts with backoff, then delivers; the event keeps its id", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const received = receiver(server, url, [503, 500, 200]);
    const endpoint = await registerEndpoint(tenant, { url, events: ["*"] });
    const { eventId, delivery } = await ping(tenant, endpoint.endpointId);
    const done = await until("delivered", async () => {
      const [d] = await deliveries(tenant, endpoint.endpointId);
      return d?.status === "delivered" ? d : null;
    });
    expect(done).toMatchObject({ deliveryId: delivery.deliveryId, attempts: 3, lastResponseStatus: 200 });
    expect(received.map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId, eventId]);
    for (const r of received) expect(verify(endpoint.secret, r).type).toBe("test.ping");
  });

  it("does not retry a 4xx other than 408/429, and does not follow redirects", async () => {
    const tenant = await createTenant();
    const gone = receiverUrl();
    const moved = receiverUrl();
    const target = receiverUrl();
    receiver(server, gone, [410]);
    const followed = receiver(server, target);
    server.use(
      http.post(moved, () => new HttpResponse(null, { status: 307, headers: { Location: target } })),
    );
    const a = await registerEndpoint(tenant, { url: gone, events: ["*"] });
    const b = await registerEndpoint(tenant, { url: moved, events: ["*"] });
    await ping(tenant, a.endpointId);
    await ping(tenant, b.endpointId);
    const failed = await until("failed", async () => {
      const [d] = await deliveries(tenant, a.endpointId);
      return d?.status === "failed" ? d : null;
    });
    expect(failed).toMatchObject({ attempts: 1, lastResponseStatus: 410, nextAttemptAt: null });
    const redirected = await until("redirect answered", async () => {
      const [d] = await deliveries(tenant, b.endpointId);
      return d && d.lastResponseStatus !== null ? d : null;
    });
    expect(redirected).toMatchObject({ status: "pending", lastResponseStatus: 307 });
    expect(redirected.nextAttemptAt).not.toBeNull();
    expect(followed).toHaveLength(0);
  });

  it("auto-pauses an endpoint after 20 consecutive failed deliveries; PATCH active resumes it", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    receiver(server, url, [400]);
    const endpoint = await registerEndpoint(tenant, { url, events: ["*"] });
    for (let i = 0; i < 20; i++) await ping(tenant, endpoint.endpointId);
    const paused = await until("auto-paused", async () => {
      const res = await api<Endpoint>("GET", `/v1/webhook-endpoints/${endpoint.endpointId}`, {
        key: tenant.keys.customer,
      });
      return res.body.status === "auto_paused" ? res.body : null;
    });
    expect(paused.consecutiveFailures).toBe(20);
    await recordAudit(env, [
      auditEvent(tenant, { eventType: "api_key.killed", data: { killedApiKeyId: "key_x" } }),
    ]);
    const items = await deliveries(tenant, endpoint.endpointId, "?limit=200");
    expect(items.filter((d) => d.eventType === "api_key.killed")).toEqual([]);
    const resumed = await api<Endpoint>("PATCH", `/v1/webhook-endpoints/${endpoint.endpointId}`, {
      key: tenant.keys.customer,
      body: { status: "active" },
    });
    expect(resumed.body).toMatchObject({ status: "active", consecutiveFailures: 0 });
  });

  it("after a secret rotation deliveries carry both signatures; each secret verifies", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const received = receiver(server, url);
    const endpoint = await registerEndpoint(tenant, { url, events: ["*"] });
    const rotated = await api<Endpoint>(
      "POST",
      `/v1/webhook-endpoints/${endpoint.endpointId}/rotate-secret`,
      {
        key: tenant.keys.customer,
      },
    );
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt ?? "") - Date.now()).toBeGreaterThan(
      23 * 3600_000,
    );
    await ping(tenant, endpoint.endpointId);
    await until("ping", () => received.length >= 1);
    const [r] = received;
    if (!r) throw new Error("no delivery");
    expect(r.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    expect(verify(endpoint.secret, r).type).toBe("test.ping");
    expect(verify(rotated.body.secret, r).type).toBe("test.ping");
  });

  it("a replay delivers the same event again under a new delivery id", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const received = receiver(server, url);
    const endpoint = await registerEndpoint(tenant, { url, events: ["*"] });
    const { eventId, delivery } = await ping(tenant, endpoint.endpointId);
    await until("first", () => received.length >= 1);
    const replay = await api<Delivery>("POST", `/v1/webhook-deliveries/${delivery.deliveryId}/replay`, {
      key: tenant.keys.customer,
    });
    expect(replay.status, replay.text).toBe(202);
    expect(replay.body).toMatchObject({ eventId, replayOf: delivery.deliveryId, status: "pending" });
    expect(replay.body.deliveryId).not.toBe(delivery.deliveryId);
    await until("second", () => received.length >= 2);
    expect(received.map((r) => verify(endpoint.secret, r).id)).toEqual([eventId, eventId]);
    const other = await createTenant();
    const foreign = await api("POST", `/v1/webhook-deliveries/${delivery.deliveryId}/replay`, {
      key: other.keys.customer,
    });
    expect(foreign.status).toBe(404);
  });

  it("an event whose queue send fails stays in the ledger's outbox and goes out from its alarm, same id", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const received = receiver(server, url);
    const endpoint = await registerEndpoint(tenant, { url, events: ["api_key.killed"] });
    const event = auditEvent(tenant, { eventType: "api_key.killed", data: { killedApiKeyId: "key_y" } });
    const stub = auditLedger(env, tenant.organizationId);
    await runInDurableObject(stub, async (instance) => {
      const own = ledgerEnv(instance);
      const queue = own.WEBHOOK_QUEUE;
      const db = own.DB;
      own.WEBHOOK_QUEUE = {
        sendBatch: () => Promise.reject(new Error("queue down")),
      } as unknown as Env["WEBHOOK_QUEUE"];
      own.DB = {
        batch: () => Promise.reject(new Error("D1 down")),
        prepare: db.prepare.bind(db),
      } as unknown as D1Database;
      try {
        await instance.append([event]);
        // Redelivered by the caller meanwhile: recorded once.
        await instance.append([event]);
      } finally {
        own.WEBHOOK_QUEUE = queue;
        own.DB = db;
      }
    });
    const [pending] = await deliveries(tenant, endpoint.endpointId);
    expect(pending).toMatchObject({ status: "pending", attempts: 0, eventType: "api_key.killed" });
    const inD1 = await env.DB.prepare("SELECT id FROM audit_events WHERE id = ?").bind(event.eventId).first();
    expect(inD1).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await until("delivered", () => received.length >= 1);
    expect(received).toHaveLength(1);
    expect(verify(endpoint.secret, received[0] as never).type).toBe("api_key.killed");
    const landed = await env.DB.prepare("SELECT id FROM audit_events WHERE id = ?")
      .bind(event.eventId)
      .first();
    expect(landed).toEqual({ id: event.eventId });
    const all = await deliveries(tenant, endpoint.endpointId);
    expect(all).toHaveLength(1);
    expect(all[0]?.eventId).toBe(received[0]?.event.id);
  });
});
