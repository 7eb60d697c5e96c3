/**
 * POST …/campaigns/:campaignId/adsets: another ad set, a structural write through the one
 * pipeline, judged by the parent campaign's authority in auto, draft and off; readable as
 * `pending` from acceptance; 422s before the gate; sandbox markers on the ad set's name.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import {
  decide,
  findPending,
  JOB_ID,
  liveCampaign,
  PENDING_ID,
  setAuthority,
  VERDICT_ID,
} from "../writes/fixtures";
import { ADSET_ID, type AdsetView, createAdset, readAdset } from "./fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function setup(platform: SeedPlatform, mode: "auto" | "draft" | "off", body?: Record<string, unknown>) {
  const t = await createTenant();
  const campaignId = await liveCampaign(t, { platform, ...(body ? { body } : {}) });
  if (mode !== "auto") await setAuthority(t, campaignId, { structural: mode }, platform);
  return { t, campaignId };
}

describe("POST …/campaigns/:campaignId/adsets by axis mode", () => {
  for (const platform of ["meta", "tiktok", "apple"] as const) {
    it(`${platform} auto: the ad set is readable at once and goes live with its platform id`, async () => {
      const { t, campaignId } = await setup(platform, "auto");
      const res = await createAdset(t, platform, campaignId, {
        name: "Second ad set",
        targeting: platform === "apple" ? { ageMin: 30 } : { ageMin: 30, countries: ["US", "CA"] },
      });
      expect(res.status, res.text).toBe(202);
      expect(res.body.jobId).toMatch(JOB_ID);
      expect(res.body.verdictId).toMatch(VERDICT_ID);
      expect(res.body.adsetId).toMatch(ADSET_ID);
      expect(res.body.pendingId).toBeUndefined();
      const early = await readAdset(t, platform, res.body.adsetId);
      expect(["pending", "active"]).toContain(early.status);
      const job = await waitForJob(t.keys.partner, res.body.jobId);
      expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", kind: "ads_create_adset" });
      const adset = await readAdset(t, platform, res.body.adsetId);
      expect(adset).toMatchObject({ status: "active", campaignId, name: "Second ad set" });
      expect(adset.targeting.ageMin).toBe(30);
      expect(adset.platformAdsetId).toMatch(/^\d+$/);
      expect(job.result).toMatchObject({ platformAdsetId: adset.platformAdsetId });
      const list = await api<{ items: AdsetView[] }>(
        "GET",
        `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
        { key: t.keys.readOnly },
      );
      expect(list.body.items.map((a) => a.adsetId)).toContain(res.body.adsetId);
    });
  }

  it("draft: queues a pending create with the new ad set; rejecting it marks the ad set rejected", async () => {
    const { t, campaignId } = await setup("meta", "draft");
    const res = await createAdset(t, "meta", campaignId, {
      name: "Queued ad set",
      optimizationGoal: "LINK_CLICKS",
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    const pending = await findPending(t, res.body.pendingId as string, "pending");
    expect(pending).toMatchObject({
      actionType: "create_adset",
      entityType: "adset",
      entityId: res.body.adsetId,
      entityName: "Queued ad set",
      currentValue: null,
      newValue: { adsetId: res.body.adsetId, name: "Queued ad set", optimizationGoal: "LINK_CLICKS" },
    });
    expect((await readAdset(t, "meta", res.body.adsetId)).status).toBe("pending");
    const rejected = await decide(t, res.body.pendingId as string, "reject", {
      body: { reason: "Not now." },
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect((await readAdset(t, "meta", res.body.adsetId)).status).toBe("rejected");
    const write = await api(
      "PATCH",
      `/v1/projects/${t.projectId}/ads/meta/adsets/${res.body.adsetId}/targeting`,
      {
        key: t.keys.partner,
        body: { ageMin: 30 },
      },
    );
    expectError(write, 409, "CONFLICT");
  });

  it("draft: approving dispatches it, with the overrides (goal and its billing event)", async () => {
    const { t, campaignId } = await setup("tiktok", "draft");
    const res = await createAdset(t, "tiktok", campaignId, { name: "Clicks", optimizationGoal: "CLICK" });
    expect(res.body.pendingId).toMatch(PENDING_ID);
    const approved = await decide(t, res.body.pendingId as string, "approve", { platform: "tiktok" });
    expect(approved.status, approved.text).toBe(200);
    expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({ status: "completed" });
    expect(await readAdset(t, "tiktok", res.body.adsetId)).toMatchObject({
      status: "active",
      optimizationGoal: "CLICK",
      billingEvent: "CPC",
    });
  });

  it("off: denies with the verdict and no ad set is made", async () => {
    const { t, campaignId } = await setup("meta", "off");
    const res = await createAdset(t, "meta", campaignId, { name: "Denied" });
    expectError(res, 403, "AUTHORITY_DENIED");
    expect(res.text).toContain('"axis":"structural"');
    const list = await api<{ items: AdsetView[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
      { key: t.keys.readOnly },
    );
    expect(list.body.items.map((a) => a.name)).not.toContain("Denied");
  });
});

describe("POST …/adsets refusals", () => {
  it("answers 422 before the gate: a budget under a campaign budget, unknown goals, bad targeting or schedule", async () => {
    const { t, campaignId } = await setup("meta", "auto");
    const cases: Record<string, unknown>[] = [
      { name: "x", dailyBudgetCents: 5000 },
      { name: "x", optimizationGoal: "CONVERT" },
      { name: "x", targeting: { ageMax: 70 } },
      { name: "x", schedule: { endTime: "2020-01-01T00:00:00Z" } },
      { name: "x", schedule: { dayparts: [{ dayOfWeek: 1, startMinute: 540, endMinute: 1020 }] } },
      { name: "x", bidStrategy: { type: "COST_CAP", bidAmountCents: 500 } },
      { name: "x", colour: "red" },
      {},
    ];
    for (const body of cases) {
      const res = await createAdset(t, "meta", campaignId, body);
      expectError(res, 422, "VALIDATION");
      expect(res.text, JSON.stringify(body)).not.toContain("verdictId");
    }
    expectError(
      await createAdset(t, "meta", campaignId, { name: "x" }, t.keys.readOnly),
      403,
      "FORBIDDEN_SCOPE",
    );
    expectError(await createAdset(t, "tiktok", campaignId, { name: "x" }), 404, "NOT_FOUND");
  });

  it("Apple: a second ad group by the same name answers 409 (names find a retried create)", async () => {
    const { t, campaignId } = await setup("apple", "auto");
    const first = await createAdset(t, "apple", campaignId, { name: "Exact match" });
    expect(first.status, first.text).toBe(202);
    expectError(await createAdset(t, "apple", campaignId, { name: "Exact match" }), 409, "CONFLICT");
    expectError(
      await createAdset(t, "apple", campaignId, { name: "x", targeting: { countries: ["GB"] } }),
      422,
      "VALIDATION",
    );
  });
});

describe("sandbox markers on the new ad set's name", () => {
  it("[sandbox:reject] fails its job and the ad set; [sandbox:fail=2] retries into success", async () => {
    const { t, campaignId } = await setup("meta", "auto");
    const rejected = await createAdset(t, "meta", campaignId, { name: "Nope [sandbox:reject]" });
    expect(rejected.status, rejected.text).toBe(202);
    expect(await waitForJob(t.keys.partner, rejected.body.jobId)).toMatchObject({
      status: "failed",
      error: { code: "PLATFORM_REJECTED" },
    });
    expect((await readAdset(t, "meta", rejected.body.adsetId)).status).toBe("failed");
    const flaky = await createAdset(t, "meta", campaignId, { name: "Flaky [sandbox:fail=2]" });
    const job = await waitForJob(t.keys.partner, flaky.body.jobId, { timeoutMs: 30_000 });
    expect(job).toMatchObject({ status: "completed", attempts: 3 });
    expect((await readAdset(t, "meta", flaky.body.adsetId)).status).toBe("active");
  });
});

describe("a retried ad set create whose answer was lost (Meta, outbound mocked)", () => {
  it("looks the tagged ad set up and adopts it: one ad set on the platform", async () => {
    const t = await createTenant();
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts.meta)
      .run();
    await storeCredential(env, t.adAccounts.meta, {
      kind: "oauth_token",
      accessToken: "tok",
      expiresAt: null,
    });
    const key = (await t.addKey({ env: "live" })).key;
    const GRAPH = "https://graph.facebook.com/v25.0";
    let adsetPosts = 0;
    let landed: string | null = null;
    server.use(
      http.post(`${GRAPH}/act_1234567890123/campaigns`, () =>
        HttpResponse.json({ id: "120200000000000042" }),
      ),
      http.post(`${GRAPH}/act_1234567890123/adsets`, async ({ request }) => {
        adsetPosts += 1;
        const name = new URLSearchParams(await request.text()).get("name") ?? "";
        if (name.startsWith("Default")) return HttpResponse.json({ id: "120200000000000077" });
        // The second ad set lands on the platform, but the answer is lost.
        landed = name;
        return HttpResponse.json(
          { error: { code: 2, message: "Service temporarily unavailable" } },
          { status: 500 },
        );
      }),
      http.get(`${GRAPH}/120200000000000042/adsets`, () =>
        HttpResponse.json({ data: landed ? [{ id: "120200000000000555", name: landed }] : [] }),
      ),
    );
    const campaignId = await liveCampaign(t, { key, body: { name: "Default" } });
    const res = await createAdset(t, "meta", campaignId, { name: "Second" }, key);
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(key, res.body.jobId, { timeoutMs: 30_000 });
    expect(job, JSON.stringify(job)).toMatchObject({
      status: "completed",
      attempts: 2,
      result: { platformCampaignId: "120200000000000042", platformAdsetId: "120200000000000555" },
    });
    expect(landed).toMatch(/^Second \[lp:[0-9a-f]{12}\]$/);
    // The default ad set's create, then the second's one attempt: no second POST.
    expect(adsetPosts).toBe(2);
    expect(await readAdset(t, "meta", res.body.adsetId)).toMatchObject({
      status: "active",
      name: "Second",
      platformAdsetId: "120200000000000555",
    });
  });
});
