/**
 * The campaign object's outbox with failing sinks injected at each step (D1 down, ledger
 * down, queue down): a decision and its audit row both land eventually, or neither does;
 * an entry that can never be delivered is parked after its last attempt, audited as
 * `outbox.parked`, and retried only when an operator asks.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defaultAdset } from "../../src/domain/adset-defaults";
import type { AuditEvent } from "../../src/domain/audit-chain";
import type { CampaignRecord } from "../../src/domain/campaign-model";
import { newId } from "../../src/domain/ids";
import type { CampaignObject } from "../../src/objects/campaign";
import type { OutboxSinks } from "../../src/objects/campaign/outbox";
import { envSinks } from "../../src/objects/campaign/sinks";
import { createCampaign, waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import { liveCampaign, readCampaign, write } from "../writes/fixtures";

const stubOf = (campaignId: string) => env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaignId));
const HOUR = 3_600_000;
const down = (what: string) => () => Promise.reject(new Error(`${what} is down`));

/** Real sinks, with some replaced. */
function useSinks(campaignId: string, override: Partial<OutboxSinks> = {}) {
  return runInDurableObject(stubOf(campaignId), (instance: CampaignObject) => {
    instance.outbox.sinks = { ...envSinks(() => env, instance.state), ...override };
  });
}

/** Delivers as of `at` (default: an hour from now, past every backoff). */
function deliverAt(campaignId: string, at = Date.now() + HOUR) {
  return runInDurableObject(stubOf(campaignId), (instance: CampaignObject) => instance.outbox.deliver(at));
}

const verdictRow = (verdictId: string) =>
  env.DB.prepare("SELECT id FROM audit_events WHERE verdict_id = ? AND event_type = 'verdict'")
    .bind(verdictId)
    .first();
const jobRow = (jobId: string) =>
  env.DB.prepare("SELECT status, stage, attempts FROM jobs WHERE id = ?")
    .bind(jobId)
    .first<{ status: string; stage: string | null; attempts: number }>();

describe.each([
  ["D1", "project"],
  ["the ledger", "audit"],
  ["the queue", "dispatch"],
] as const)("%s down when a write is accepted", (what, sink) => {
  it("the decision and its audit row both land once it is back", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    await useSinks(campaignId, { [sink]: down(what) });
    const res = await write(t, "budget", campaignId, { body: { dailyBudgetCents: 6100 } });
    // The decision is durable in the object: the caller gets its 202 and verdict.
    expect(res.status, res.text).toBe(202);
    const { jobId, verdictId } = res.body;

    // Only the failing step's effect is missing so far.
    if (sink === "audit") expect(await verdictRow(verdictId)).toBeNull();
    else expect(await verdictRow(verdictId)).not.toBeNull();
    if (sink === "project") expect(await jobRow(jobId)).toBeNull();
    if (sink === "dispatch") expect(await jobRow(jobId)).toMatchObject({ stage: "queued", attempts: 0 });

    await useSinks(campaignId);
    await deliverAt(campaignId);
    expect(await verdictRow(verdictId), "the verdict reached the ledger").not.toBeNull();
    const job = await waitForJob(t.keys.partner, jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", attempts: 1 });
    expect((await readCampaign(t, campaignId)).dailyBudgetCents).toBe(6100);
  });
});

describe("parking", () => {
  it("parks an entry that can never be delivered after its last attempt, audits it, retries on request", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    let poisonedCalls = 0;
    const real = await runInDurableObject(stubOf(campaignId), (i: CampaignObject) =>
      envSinks(() => env, i.state),
    );
    const poisoned = (events: AuditEvent[]) =>
      events.some(
        (e) => (e.data.newValue as { dailyBudgetCents?: number } | undefined)?.dailyBudgetCents === 6200,
      );
    await useSinks(campaignId, {
      audit: (events) => {
        if (!poisoned(events)) return real.audit(events);
        poisonedCalls += 1;
        return Promise.reject(new Error("constraint violation"));
      },
    });
    const res = await write(t, "budget", campaignId, { body: { dailyBudgetCents: 6200 } });
    expect(res.status, res.text).toBe(202);
    // The job itself is unaffected: everything but the poisoned entry is delivered.
    expect((await waitForJob(t.keys.partner, res.body.jobId)).status).toBe("completed");

    let parked: Awaited<ReturnType<CampaignObject["parkedOutbox"]>> = [];
    for (let hour = 1; hour <= 30 && parked.length === 0; hour += 1) {
      await deliverAt(campaignId, Date.now() + hour * HOUR);
      parked = await runInDurableObject(stubOf(campaignId), (i: CampaignObject) => i.parkedOutbox());
    }
    expect(parked, "parked after its last attempt").toHaveLength(1);
    expect(parked[0]).toMatchObject({
      kind: "audit",
      attempts: 12,
      lastError: expect.stringContaining("constraint"),
    });
    const callsWhenParked = poisonedCalls;
    await deliverAt(campaignId, Date.now() + 100 * HOUR);
    expect(poisonedCalls, "a parked entry is not retried").toBe(callsWhenParked);
    expect(await verdictRow(res.body.verdictId)).toBeNull();

    const notice = await env.DB.prepare(
      "SELECT data FROM audit_events WHERE organization_id = ? AND event_type = 'outbox.parked'",
    )
      .bind(t.organizationId)
      .first<{ data: string }>();
    expect(JSON.parse(notice?.data ?? "{}")).toMatchObject({
      campaignId,
      entryId: parked[0]?.id,
      effectKind: "audit",
      attempts: 12,
    });

    // The operator fixed the cause and puts it back in line.
    await useSinks(campaignId);
    const retried = await runInDurableObject(stubOf(campaignId), (i: CampaignObject) => i.retryParked());
    expect(retried).toBe(1);
    expect(await verdictRow(res.body.verdictId)).not.toBeNull();
    expect(await runInDurableObject(stubOf(campaignId), (i: CampaignObject) => i.parkedOutbox())).toEqual([]);
  });
});

describe("a denied create", () => {
  it("records its verdict through the object's outbox, and nothing else", async () => {
    const t = await createTenant();
    const campaignId = newId("campaign");
    const verdictId = newId("verdict");
    const now = new Date().toISOString();
    const campaign: CampaignRecord = {
      id: campaignId,
      organizationId: t.organizationId,
      projectId: t.projectId,
      layerId: t.layerId,
      platform: "meta",
      adAccountId: t.adAccounts.meta,
      name: "Denied",
      outcome: "conversions",
      status: "pending",
      dailyBudgetCents: 5000,
      lifetimeBudgetCents: null,
      startTime: now,
      endTime: null,
      bidStrategy: {},
      targeting: {},
      platformSettings: {},
      metadata: null,
      platformCampaignId: null,
      createdAt: now,
      updatedAt: now,
    };
    const result = await runInDurableObject(stubOf(campaignId), async (instance: CampaignObject) => {
      instance.outbox.sinks = { ...envSinks(() => env, instance.state), audit: down("the ledger") };
      return instance.create({
        campaign,
        adset: defaultAdset(campaign, newId("adset"), null),
        authority: { creative: "auto", tactical: "auto", structural: "auto" },
        layer: {
          defaults: { creative: "auto", tactical: "auto", structural: "off" },
          controls: {
            killSwitchActive: false,
            partnerWritesEnabled: true,
            partnerDefaultsChangesAllowed: false,
            partnerApprovalsEnabled: false,
          },
          version: 1,
        },
        verdictId,
        jobId: newId("job"),
        meta: {
          actor: {
            actorType: "partner",
            actorOrganizationId: t.organizationId,
            actorApiKeyId: t.keyIds.partner,
          },
          requestId: "req_test",
          sandbox: true,
        },
      });
    });
    expect(result).toMatchObject({ ok: false, code: "AUTHORITY_DENIED", details: { verdictId } });
    expect(await verdictRow(verdictId)).toBeNull();

    await useSinks(campaignId);
    await deliverAt(campaignId);
    expect(await verdictRow(verdictId)).not.toBeNull();
    const left = await runInDurableObject(stubOf(campaignId), (i: CampaignObject) => ({
      campaign: i.state.campaign,
      empty: i.outbox.isEmpty,
    }));
    expect(left).toEqual({ campaign: null, empty: true });
    const row = await env.DB.prepare("SELECT id FROM campaigns WHERE id = ?").bind(campaignId).first();
    expect(row).toBeNull();
  });
});

describe("objects written before entries had their own keys", () => {
  it("take over the old outbox array on load and deliver it", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    const verdictId = newId("verdict");
    await runInDurableObject(stubOf(campaignId), (instance: CampaignObject, state) => {
      const campaign = instance.state.existing;
      const event = {
        eventId: newId("event"),
        eventType: "verdict",
        occurredAt: new Date().toISOString(),
        requestId: "req_legacy",
        organizationId: campaign.organizationId,
        projectId: campaign.projectId,
        apiKeyId: null,
        actorType: "system",
        verdictId,
        data: { legacy: true },
      };
      state.storage.kv.put("outbox", [{ kind: "audit", events: [event] }]);
    });
    await evictDurableObject(stubOf(campaignId));
    const loaded = await runInDurableObject(stubOf(campaignId), (instance: CampaignObject, state) => ({
      legacy: state.storage.kv.get("outbox") ?? null,
      empty: instance.outbox.isEmpty,
    }));
    expect(loaded).toEqual({ legacy: null, empty: false });
    await deliverAt(campaignId);
    expect(await verdictRow(verdictId)).not.toBeNull();
  });
});

describe("a commit that fails", () => {
  it("leaves neither the change nor its audit row, in storage or in memory", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    await runInDurableObject(stubOf(campaignId), (instance: CampaignObject) => {
      const stage = instance.outbox.stage.bind(instance.outbox);
      instance.outbox.stage = () => {
        instance.outbox.stage = stage;
        throw new Error("storage is full");
      };
    });
    const res = await write(t, "budget", campaignId, { body: { dailyBudgetCents: 6300 } });
    expect(res.status, res.text).toBe(500);
    const after = await runInDurableObject(stubOf(campaignId), (instance: CampaignObject, state) => ({
      budget: instance.state.existing.dailyBudgetCents,
      jobs: [...instance.state.jobs.values()].filter((j) => j.actionType === "update_budget").length,
      stored: [...state.storage.kv.list({ prefix: "job:" })].length,
      inMemory: instance.state.jobs.size,
    }));
    expect(after).toMatchObject({ budget: 5000, jobs: 0 });
    expect(after.stored).toBe(after.inMemory);
    const verdicts = await env.DB.prepare(
      "SELECT data FROM audit_events WHERE organization_id = ? AND event_type = 'verdict'",
    )
      .bind(t.organizationId)
      .all<{ data: string }>();
    const budgetVerdicts = verdicts.results.filter((r) => JSON.parse(r.data).action === "update_budget");
    expect(budgetVerdicts).toEqual([]);
    // The object still works.
    const again = await write(t, "budget", campaignId, { body: { dailyBudgetCents: 6300 } });
    expect(again.status, again.text).toBe(202);
    expect((await waitForJob(t.keys.partner, again.body.jobId)).status).toBe("completed");
    expect((await readCampaign(t, campaignId)).dailyBudgetCents).toBe(6300);
  });
});

describe("a create's ad set step", () => {
  it("runs in the dispatch runner right after the campaign step, without a second queue message", async () => {
    const t = await createTenant();
    const created = await createCampaign(t, "meta", { wait: false });
    // The create's own message is on the queue; from now on the object cannot reach the queue.
    await useSinks(created.campaignId, { dispatch: down("the dispatch queue") });
    const job = await waitForJob(t.keys.partner, created.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    expect(job.result).toMatchObject({
      platformCampaignId: expect.any(String),
      platformAdsetId: expect.any(String),
    });
  });
});
