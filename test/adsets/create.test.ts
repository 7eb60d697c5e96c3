/**
 * The simplified create makes a runnable structure: the campaign and its default ad set, on
 * every platform; the job completes only when both exist and resumes at the ad set after a
 * failure between the two steps.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import { defaultAdset } from "../../src/domain/adset-defaults";
import type { CampaignRecord } from "../../src/domain/campaign-model";
import { buildAdgroupBody } from "../../src/platforms/apple-adsets";
import { sandboxCampaignId } from "../../src/platforms/sandbox";
import { api, expectError } from "../helpers/http";
import { createBody, createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface AdsetRow {
  id: string;
  status: string;
  optimization_goal: string;
  billing_event: string;
  targeting: string;
  platform_adset_id: string | null;
}

/** The D1 copy of the campaign's ad sets, once the outbox delivered it with its platform id. */
async function adsetRows(campaignId: string): Promise<AdsetRow[]> {
  for (let i = 0; i < 60; i++) {
    const { results } = await env.DB.prepare("SELECT * FROM adsets WHERE campaign_id = ?")
      .bind(campaignId)
      .all<AdsetRow>();
    if (results.length > 0 && results.every((r) => r.platform_adset_id !== null)) return results;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no delivered ad set for ${campaignId}`);
}

async function goLive(t: TestTenant, platform: "meta" | "tiktok"): Promise<string> {
  await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
    .bind(t.adAccounts[platform])
    .run();
  await storeCredential(env, t.adAccounts[platform], {
    kind: "oauth_token",
    accessToken: `account-${platform}-token`,
    expiresAt: null,
  });
  return (await t.addKey({ env: "live" })).key;
}

describe("create with a default ad set (sandbox)", () => {
  for (const platform of ["meta", "tiktok", "apple"] as const) {
    it(`${platform}: the job holds both ids and the ad set carries the campaign read's targeting`, async () => {
      const t = await createTenant();
      const c = await createCampaign(t, platform);
      expect(c.job?.status, JSON.stringify(c.job)).toBe("completed");
      const rows = await adsetRows(c.campaignId);
      expect(rows).toHaveLength(1);
      const row = rows[0] as AdsetRow;
      expect(row.id).toMatch(/^adg_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(row.status).toBe("active");
      expect(c.job?.result).toEqual({
        platformCampaignId: await sandboxCampaignId(platform, c.jobId),
        platformAdsetId: row.platform_adset_id,
      });
      expect(row.platform_adset_id).toBe(await sandboxCampaignId(platform, `${c.jobId}:${row.id}`));
      const read = await api<{ targeting: unknown }>(
        "GET",
        `/v1/projects/${t.projectId}/ads/${platform}/campaigns/${c.campaignId}`,
        { key: t.keys.partner },
      );
      expect(read.status).toBe(200);
      expect(JSON.parse(row.targeting)).toEqual(read.body.targeting);
      const goals = { meta: "OFFSITE_CONVERSIONS", tiktok: "CONVERT", apple: "TAPS" };
      expect(row.optimization_goal).toBe(goals[platform]);
    });
  }

  it("a failure between the two steps resumes at the ad set: [sandbox:adset_fail=2]", async () => {
    const t = await createTenant();
    const c = await createCampaign(t, "tiktok", { body: { name: "Resume [sandbox:adset_fail=2]" } });
    // Step 2 failed on its attempts 1 and 2 and succeeded on 3; the campaign step ran once.
    expect(c.job, JSON.stringify(c.job)).toMatchObject({ status: "completed", attempts: 3 });
    const { results } = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_events WHERE event_type = 'job.progressed' AND json_extract(data, '$.jobId') = ?",
    )
      .bind(c.jobId)
      .all<{ n: number }>();
    expect(results[0]?.n).toBe(1);
  });
});

describe("create with a default ad set (live platforms, outbound mocked)", () => {
  it("Meta: a failing ad set create is retried without creating the campaign twice", async () => {
    const t = await createTenant();
    const key = await goLive(t, "meta");
    let campaignPosts = 0;
    let adsetPosts = 0;
    const lookups: string[] = [];
    server.use(
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/campaigns", () => {
        campaignPosts += 1;
        return HttpResponse.json({ id: "120200000000000042" });
      }),
      // The retry looks for the ad set the first attempt may have made (here: it did not).
      http.get("https://graph.facebook.com/v25.0/120200000000000042/adsets", ({ request }) => {
        lookups.push(new URL(request.url).searchParams.get("filtering") ?? "");
        return HttpResponse.json({ data: [] });
      }),
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/adsets", () => {
        adsetPosts += 1;
        return adsetPosts === 1
          ? HttpResponse.json(
              { error: { code: 2, message: "Service temporarily unavailable" } },
              { status: 500 },
            )
          : HttpResponse.json({ id: "120200000000000099" });
      }),
    );
    const c = await createCampaign(t, "meta", { key });
    expect(c.job, JSON.stringify(c.job)).toMatchObject({
      status: "completed",
      result: { platformCampaignId: "120200000000000042", platformAdsetId: "120200000000000099" },
    });
    expect(campaignPosts).toBe(1);
    expect(adsetPosts).toBe(2);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toMatch(/"operator":"CONTAIN","value":"\[lp:[0-9a-f]{12}\]"/);
  });

  it("TikTok: sends the exact /adgroup/create/ request", async () => {
    const t = await createTenant();
    const key = await goLive(t, "tiktok");
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.post("https://business-api.tiktok.com/open_api/v1.3/campaign/create/", () =>
        HttpResponse.json({
          code: 0,
          message: "OK",
          request_id: "r",
          data: { campaign_id: "1800000000000000001" },
        }),
      ),
      http.post("https://business-api.tiktok.com/open_api/v1.3/adgroup/create/", async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({
          code: 0,
          message: "OK",
          request_id: "r",
          data: { adgroup_id: "1800000000000000002" },
        });
      }),
    );
    const c = await createCampaign(t, "tiktok", { key, body: { name: "TT adgroup" } });
    expect(c.job?.result).toEqual({
      platformCampaignId: "1800000000000000001",
      platformAdsetId: "1800000000000000002",
    });
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toEqual({
      advertiser_id: "7012345678901234567",
      campaign_id: "1800000000000000001",
      adgroup_name: "TT adgroup",
      promotion_type: "WEBSITE",
      location_ids: ["6252001"],
      age_groups: ["AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100"],
      gender: "GENDER_UNLIMITED",
      placement_type: "PLACEMENT_TYPE_AUTOMATIC",
      schedule_type: "SCHEDULE_FROM_NOW",
      schedule_start_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      optimization_goal: "CONVERT",
      billing_event: "OCPM",
      bid_type: "BID_TYPE_NO_BID",
      pacing: "PACING_MODE_SMOOTH",
      operation_status: "ENABLE",
      request_id: expect.stringMatching(/^\d+$/),
    });
  });

  it("Apple: the ad group body carries the bid, a future start and the ages", () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    const campaign = {
      id: "cmp_x",
      platform: "apple",
      name: "Apple AG",
      outcome: "app_installs",
      bidStrategy: { type: "MANUAL_CPT" },
      targeting: { countries: ["US"], ageMin: 21, placements: "automatic" },
      startTime: "2026-05-01T00:00:00.000Z",
      endTime: null,
      createdAt: "2026-05-01T00:00:00.000Z",
    } as unknown as CampaignRecord;
    const adset = defaultAdset(campaign, "adg_x", null);
    const account = { currency: "USD" } as Parameters<typeof buildAdgroupBody>[1];
    expect(buildAdgroupBody({ ...adset, adsetId: adset.id }, account, now)).toEqual({
      name: "Apple AG",
      pricingModel: "CPC",
      defaultBidAmount: { amount: "1.00", currency: "USD" },
      startTime: "2026-06-01T00:01:00.000",
      automatedKeywordsOptIn: true,
      targetingDimensions: { age: { included: [{ minAge: 21 }] } },
      status: "ENABLED",
    });
  });
});

describe("Meta promoted object", () => {
  it("answers 422 naming the missing connection setting, and creates nothing", async () => {
    const t = await createTenant();
    await env.DB.prepare("UPDATE ad_accounts SET settings = ? WHERE id = ?")
      .bind(JSON.stringify({ defaultCountries: ["US"], promotedObject: { page_id: "1" } }), t.adAccounts.meta)
      .run();
    const res = await api("POST", `/v1/projects/${t.projectId}/ads/meta/campaigns`, {
      key: t.keys.partner,
      body: createBody(t, "meta"),
    });
    expectError(res, 422, "VALIDATION");
    expect(res.text).toContain("promotedObject.pixel_id");
    // Leads needs only the page, which this account has.
    const leads = await api("POST", `/v1/projects/${t.projectId}/ads/meta/campaigns`, {
      key: t.keys.partner,
      body: createBody(t, "meta", { outcome: "lead_generation" }),
    });
    expect(leads.status).toBe(202);
  });
});
