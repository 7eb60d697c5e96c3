import {
  createExecutionContext,
  createMessageBatch,
  evictDurableObject,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import worker from "../../src/index";
import type { CampaignObject } from "../../src/objects/campaign";
import { envSinks } from "../../src/objects/campaign/sinks";
import { api, expectError } from "../helpers/http";
import { createCampaign, type JobView, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

const campaignPath = (t: TestTenant, platform: string, id: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/campaigns/${id}`;

describe("dispatch through the sandbox", () => {
  it("[sandbox:fail=2] retries, then completes with attempts 3", async () => {
    const c = await createCampaign(tenant, "meta", {
      wait: false,
      body: { name: "Retry me [sandbox:fail=2]" },
    });
    const retrying = await waitForJob(tenant.keys.partner, c.jobId, { until: (j) => j.stage === "retrying" });
    expect(retrying).toMatchObject({
      status: "running",
      stage: "retrying",
      error: { code: "PLATFORM_ERROR", platformCode: "503" },
    });
    const done = await waitForJob(tenant.keys.partner, c.jobId, { timeoutMs: 15_000 });
    expect(done).toMatchObject({
      status: "completed",
      attempts: 3,
      result: { platformCampaignId: expect.any(String) },
    });
    expect(done.error).toBeUndefined();
  });

  it("[sandbox:reject] fails at once with PLATFORM_REJECTED and the platform's code", async () => {
    const c = await createCampaign(tenant, "tiktok", { body: { name: "No [sandbox:reject]" } });
    expect(c.job).toMatchObject({
      status: "failed",
      attempts: 1,
      error: { code: "PLATFORM_REJECTED", platformCode: expect.any(String) },
    });
    const read = await api("GET", campaignPath(tenant, "tiktok", c.campaignId), { key: tenant.keys.partner });
    expect(read.body).toMatchObject({ status: "failed", platformCampaignId: null });
  });

  it("[sandbox:throttle] honours the retry hint, then completes", async () => {
    const c = await createCampaign(tenant, "apple", { body: { name: "Busy [sandbox:throttle]" } });
    expect(c.job).toMatchObject({ status: "completed", attempts: 2 });
  });

  it("[sandbox:slow=300] completes after the delay", async () => {
    const c = await createCampaign(tenant, "meta", { body: { name: "Slow [sandbox:slow=300]" } });
    expect(c.job, JSON.stringify(c.job)).toMatchObject({ status: "completed", attempts: 1 });
  });

  it("exhausted retries fail the job with PLATFORM_ERROR and dead-letter it", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false, body: { name: "Down [sandbox:fail=9]" } });
    const job = await waitForJob(tenant.keys.partner, c.jobId, { timeoutMs: 25_000 });
    expect(job).toMatchObject({ status: "failed", attempts: 3, error: { code: "PLATFORM_ERROR" } });
    const deadline = Date.now() + 10_000;
    let row: { reason: string } | null = null;
    while (!row && Date.now() < deadline) {
      row = await env.DB.prepare("SELECT reason FROM dead_letters WHERE job_id = ?")
        .bind(c.jobId)
        .first<{ reason: string }>();
      if (!row) await new Promise((r) => setTimeout(r, 200));
    }
    expect(row?.reason).toBe("retries exhausted");
  });

  it("a redelivered message never creates a second platform campaign", async () => {
    const c = await createCampaign(tenant, "tiktok");
    const before = c.job as JobView;
    const batch = createMessageBatch("ads-dispatch", [
      {
        id: "redelivery-1",
        timestamp: new Date(),
        attempts: 2,
        body: { jobId: c.jobId, campaignId: c.campaignId, generation: 1 },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["redelivery-1"]);
    const after = await api<JobView>("GET", `/v1/jobs/${c.jobId}`, { key: tenant.keys.partner });
    expect(after.body).toMatchObject({
      status: "completed",
      attempts: before.attempts,
      result: before.result,
    });
  });

  it("a message that arrives twice while the job is retrying yields one platform id", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false, body: { name: "Twice [sandbox:fail=1]" } });
    await waitForJob(tenant.keys.partner, c.jobId, { until: (j) => j.stage === "retrying" });
    const message = { jobId: c.jobId, campaignId: c.campaignId, generation: 1 };
    const batch = createMessageBatch("ads-dispatch", [
      { id: "dup", timestamp: new Date(), attempts: 1, body: message },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    await getQueueResult(batch, ctx);
    const done = await waitForJob(tenant.keys.partner, c.jobId, { timeoutMs: 15_000 });
    expect(done.status).toBe("completed");
    const read = await api("GET", campaignPath(tenant, "meta", c.campaignId), { key: tenant.keys.partner });
    expect(read.body.platformCampaignId).toBe(done.result?.platformCampaignId);
  });

  it("parks a malformed message in the dead-letter queue", async () => {
    const batch = createMessageBatch("ads-dispatch", [
      { id: "junk", timestamp: new Date(), attempts: 1, body: { hello: "world" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["junk"]);
  });

  it("the dead-letter consumer records the message and ends a running job", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    const c = await createCampaign(t, "meta", { wait: false, body: { campaignManagementMode: "draft" } });
    const approve = await api("POST", `/v1/projects/${t.projectId}/ads/meta/pending/${c.pendingId}/approve`, {
      key: t.keys.customer,
    });
    expect(approve.status, approve.text).toBe(200);
    const batch = createMessageBatch("ads-dispatch-dlq", [
      {
        id: "dl-1",
        timestamp: new Date(),
        attempts: 11,
        body: { jobId: c.jobId, campaignId: c.campaignId, generation: 2 },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["dl-1"]);
    const row = await env.DB.prepare("SELECT job_id FROM dead_letters WHERE id = 'dlq_dl-1'").first<{
      job_id: string;
    }>();
    expect(row?.job_id).toBe(c.jobId);
    const job = await api<JobView>("GET", `/v1/jobs/${c.jobId}`, { key: t.keys.partner });
    expect(["failed", "completed"]).toContain(job.body.status);
  });

  it("the watchdog re-sends a message for a job whose message was lost", async () => {
    const t = await createTenant({ policies: { apple: { structural: "draft" } } });
    const c = await createCampaign(t, "apple", { wait: false, body: { campaignManagementMode: "draft" } });
    const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(c.campaignId));
    // As if the job had been released for dispatch 11 minutes ago and its queue message never arrived.
    await runInDurableObject(stub, async (_instance, state) => {
      const job = state.storage.kv.get<Record<string, unknown>>(`job:${c.jobId}`);
      const campaign = state.storage.kv.get<Record<string, unknown>>("campaign");
      const stale = new Date(Date.now() - 11 * 60_000).toISOString();
      state.storage.kv.put(`job:${c.jobId}`, { ...job, stage: "queued", updatedAt: stale });
      state.storage.kv.put("campaign", { ...campaign, status: "pending" });
    });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const job = await waitForJob(t.keys.partner, c.jobId);
    expect(job).toMatchObject({
      status: "completed",
      attempts: 1,
      result: { platformCampaignId: expect.any(String) },
    });
  });
});

describe("delivery failures", () => {
  it("a queue send that fails after the object committed is redelivered by its alarm", async () => {
    const t = await createTenant({ policies: { tiktok: { structural: "draft" } } });
    const c = await createCampaign(t, "tiktok", { wait: false, body: { campaignManagementMode: "draft" } });
    const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(c.campaignId));
    await runInDurableObject(stub, (instance: CampaignObject) => {
      instance.outbox.sinks = {
        ...instance.outbox.sinks,
        dispatch: () => Promise.reject(new Error("queue unavailable")),
      };
    });
    const approve = await api(
      "POST",
      `/v1/projects/${t.projectId}/ads/tiktok/pending/${c.pendingId}/approve`,
      {
        key: t.keys.customer,
      },
    );
    expect(approve.status, approve.text).toBe(200);
    const stuck = await api<JobView>("GET", `/v1/jobs/${c.jobId}`, { key: t.keys.partner });
    expect(stuck.body).toMatchObject({ status: "running", stage: "queued", attempts: 0 });
    await runInDurableObject(stub, async (instance: CampaignObject, state) => {
      instance.outbox.sinks = envSinks(() => env, instance.state);
      const alarm = await state.storage.getAlarm();
      expect(alarm, "an alarm is set for the redelivery").not.toBeNull();
      // As of an hour later: past every backoff (at most five minutes).
      await instance.outbox.deliver(Date.now() + 3_600_000);
    });
    const done = await waitForJob(t.keys.partner, c.jobId);
    expect(done).toMatchObject({ status: "completed", attempts: 1 });
  });
});

describe("history", () => {
  it("forgets jobs settled over 30 days ago from the object; D1 still answers for them", async () => {
    const c = await createCampaign(tenant, "meta");
    const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(c.campaignId));
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString();
    const kept = await runInDurableObject(stub, async (_instance, state) => {
      const job = state.storage.kv.get<Record<string, unknown>>(`job:${c.jobId}`);
      state.storage.kv.put(`job:${c.jobId}`, { ...job, finishedAt: longAgo });
      return state.storage.kv.get(`job:${c.jobId}`) !== undefined;
    });
    expect(kept).toBe(true);
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const gone = await runInDurableObject(stub, async (_instance, state) =>
      state.storage.kv.get(`job:${c.jobId}`),
    );
    expect(gone).toBeUndefined();
    const job = await api<JobView>("GET", `/v1/jobs/${c.jobId}`, { key: tenant.keys.partner });
    expect(job.body).toMatchObject({ status: "completed" });
    const read = await api("GET", campaignPath(tenant, "meta", c.campaignId), { key: tenant.keys.partner });
    expect(read.body).toMatchObject({
      status: "active",
      platformCampaignId: c.job?.result?.platformCampaignId,
    });
  });
});

describe("dispatch to a live platform (outbound requests mocked)", () => {
  it("creates the campaign on Meta with the real request and records Meta's id", async () => {
    const t = await createTenant();
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts.meta)
      .run();
    await storeCredential(env, t.adAccounts.meta, {
      kind: "oauth_token",
      accessToken: "account-meta-token",
      expiresAt: null,
    });
    const live = await t.addKey({ env: "live" });
    const requests: { url: string; body: string }[] = [];
    server.use(
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/campaigns", async ({ request }) => {
        requests.push({ url: request.url, body: await request.text() });
        return HttpResponse.json({ id: "120200000000000042" });
      }),
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/adsets", async ({ request }) => {
        requests.push({ url: request.url, body: await request.text() });
        return HttpResponse.json({ id: "120200000000000077" });
      }),
    );
    const c = await createCampaign(t, "meta", { key: live.key });
    expect(c.job, JSON.stringify(c.job)).toMatchObject({
      status: "completed",
      result: { platformCampaignId: "120200000000000042", platformAdsetId: "120200000000000077" },
    });
    expect(requests).toHaveLength(2);
    // The default ad set: the outcome's goal and billing, the campaign's targeting, the
    // account's pixel as promoted object; no budget or bid (they live on the campaign).
    const adset = Object.fromEntries(new URLSearchParams(requests[1]?.body));
    expect(adset).toEqual({
      name: expect.any(String),
      campaign_id: "120200000000000042",
      optimization_goal: "OFFSITE_CONVERSIONS",
      billing_event: "IMPRESSIONS",
      targeting: JSON.stringify({
        geo_locations: { countries: ["US"] },
        targeting_automation: { advantage_audience: 0 },
        age_min: 18,
        age_max: 65,
      }),
      status: "ACTIVE",
      promoted_object: JSON.stringify({ pixel_id: "1234567890123456", custom_event_type: "PURCHASE" }),
      start_time: expect.any(String),
      access_token: "account-meta-token",
    });
    const form = new URLSearchParams(requests[0]?.body);
    expect(form.get("objective")).toBe("OUTCOME_SALES");
    expect(form.get("daily_budget")).toBe("5000");
    expect(form.get("special_ad_categories")).toBe("[]");
    expect(form.get("access_token")).toBe("account-meta-token");
  });

  it("a live refusal fails the job with the platform's code", async () => {
    const t = await createTenant();
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts.tiktok)
      .run();
    await storeCredential(env, t.adAccounts.tiktok, {
      kind: "oauth_token",
      accessToken: "account-tiktok-token",
      expiresAt: null,
    });
    const live = await t.addKey({ env: "live" });
    server.use(
      http.post("https://business-api.tiktok.com/open_api/v1.3/campaign/create/", () =>
        HttpResponse.json({ code: 40002, message: "Budget too low", request_id: "r", data: {} }),
      ),
    );
    const c = await createCampaign(t, "tiktok", { key: live.key });
    expect(c.job).toMatchObject({
      status: "failed",
      error: { code: "PLATFORM_REJECTED", platformCode: "40002" },
    });
  });
});

describe("reads", () => {
  it("GET /v1/jobs/:id answers 304 to a matching If-None-Match", async () => {
    const c = await createCampaign(tenant, "meta");
    const first = await api("GET", `/v1/jobs/${c.jobId}`, { key: tenant.keys.readOnly });
    const etag = first.headers.get("ETag");
    expect(etag).toBeTruthy();
    const second = await api("GET", `/v1/jobs/${c.jobId}`, {
      key: tenant.keys.readOnly,
      headers: { "If-None-Match": etag ?? "" },
    });
    expect(second.status).toBe(304);
    expect(second.text).toBe("");
    const other = await api("GET", `/v1/jobs/${c.jobId}`, {
      key: tenant.keys.readOnly,
      headers: { "If-None-Match": '"nope"' },
    });
    expect(other.status).toBe(200);
  });

  it("GET /v1/jobs/:id is scoped to the organization and needs jobs:read or an ads scope", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false });
    const other = await createTenant();
    expectError(await api("GET", `/v1/jobs/${c.jobId}`, { key: other.keys.partner }), 404, "NOT_FOUND");
    expectError(await api("GET", "/v1/jobs/job_123", { key: tenant.keys.partner }), 404, "NOT_FOUND");
    const adsOnly = await tenant.addKey({ scopes: ["ads:write:budgets"] });
    expect((await api("GET", `/v1/jobs/${c.jobId}`, { key: adsOnly.key })).status).toBe(200);
    const auditOnly = await tenant.addKey({ scopes: ["audit:read"] });
    expectError(await api("GET", `/v1/jobs/${c.jobId}`, { key: auditOnly.key }), 403, "FORBIDDEN_SCOPE");
  });

  it("lists campaigns with filters and cursor pagination", async () => {
    const t = await createTenant();
    const created: string[] = [];
    for (const platform of ["meta", "tiktok", "meta", "apple", "meta"] as const) {
      created.push((await createCampaign(t, platform, { wait: false })).campaignId);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        text: string;
        body: { items: { campaignId: string }[]; nextCursor: string | null };
      } = await api(
        "GET",
        `/v1/projects/${t.projectId}/ads/campaigns?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { key: t.keys.readOnly },
      );
      expect(page.status, page.text).toBe(200);
      seen.push(...page.body.items.map((c) => c.campaignId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    const metaOnly = await api<{ items: { platform: string }[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/campaigns?platforms=meta`,
      {
        key: t.keys.readOnly,
      },
    );
    expect(metaOnly.body.items.map((c) => c.platform)).toEqual(["meta", "meta", "meta"]);
    const byAccount = await api<{ items: unknown[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/campaigns?adAccountId=${t.adAccounts.apple}`,
      {
        key: t.keys.readOnly,
      },
    );
    expect(byAccount.body.items).toHaveLength(1);
    const future = await api<{ items: unknown[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/campaigns?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { key: t.keys.readOnly },
    );
    expect(future.body.items).toHaveLength(0);
    expectError(
      await api("GET", `/v1/projects/${t.projectId}/ads/campaigns?cursor=@@@`, { key: t.keys.readOnly }),
      422,
      "VALIDATION",
    );
    expectError(
      await api("GET", `/v1/projects/${t.projectId}/ads/campaigns?limit=201`, { key: t.keys.readOnly }),
      422,
      "VALIDATION",
    );
    expectError(
      await api("GET", `/v1/projects/${t.projectId}/ads/campaigns?status=live`, { key: t.keys.readOnly }),
      422,
      "VALIDATION",
    );
  });
});
