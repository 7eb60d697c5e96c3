/**
 * PATCH …/adsets/:adsetId/targeting: a tactical ad set write through the one gated-write
 * pipeline, judged against the parent campaign's authority, in auto, draft and off; each
 * platform's limits as 422; the exact outbound update per platform; 100 concurrent writes.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { waitForJob, waitForJobs } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  type Accepted,
  auditEvents,
  findPending,
  JOB_ID,
  liveCampaign,
  PENDING_ID,
  setAuthority,
  VERDICT_ID,
} from "../writes/fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface AdsetView {
  adsetId: string;
  targeting: Record<string, unknown>;
  platformAdsetId: string | null;
}

async function defaultAdsetOf(t: TestTenant, campaignId: string): Promise<AdsetView> {
  for (let i = 0; i < 60; i++) {
    const res = await api<{ items: AdsetView[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
      { key: t.keys.readOnly },
    );
    const adset = res.body.items[0];
    if (adset?.platformAdsetId) return adset;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no default ad set");
}

const adsetPath = (t: TestTenant, platform: SeedPlatform, adsetId: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}`;

const patchTargeting = (
  t: TestTenant,
  platform: SeedPlatform,
  adsetId: string,
  body: unknown,
  key?: string,
) =>
  api<Accepted>("PATCH", `${adsetPath(t, platform, adsetId)}/targeting`, {
    key: key ?? t.keys.partner,
    body,
  });

const readAdset = async (t: TestTenant, platform: SeedPlatform, adsetId: string) => {
  const res = await api<AdsetView>("GET", adsetPath(t, platform, adsetId), { key: t.keys.readOnly });
  expect(res.status, res.text).toBe(200);
  return res.body;
};

async function setup(platform: SeedPlatform = "meta", mode: "auto" | "draft" | "off" = "auto") {
  const t = await createTenant();
  const campaignId = await liveCampaign(t, { platform });
  if (mode !== "auto") await setAuthority(t, campaignId, { tactical: mode }, platform);
  const adset = await defaultAdsetOf(t, campaignId);
  return { t, campaignId, adset };
}

describe("PATCH …/adsets/:adsetId/targeting by axis mode", () => {
  it("auto: dispatches, and the ad set takes the partial change", async () => {
    const { t, adset } = await setup("meta", "auto");
    const res = await patchTargeting(t, "meta", adset.adsetId, { ageMin: 25, genders: ["female"] });
    expect(res.status, res.text).toBe(202);
    expect(res.body.jobId).toMatch(JOB_ID);
    expect(res.body.verdictId).toMatch(VERDICT_ID);
    expect(res.body.pendingId).toBeUndefined();
    const job = await waitForJob(t.keys.partner, res.body.jobId);
    expect(job).toMatchObject({ status: "completed", kind: "ads_update_targeting" });
    const after = await readAdset(t, "meta", adset.adsetId);
    expect(after.targeting).toEqual({ ...adset.targeting, ageMin: 25, genders: ["female"] });
  });

  it("draft: queues a pending action on the ad set with its current and new value", async () => {
    const { t, adset } = await setup("meta", "draft");
    const res = await patchTargeting(t, "meta", adset.adsetId, { countries: ["US", "CA"] });
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    const pending = await findPending(t, res.body.pendingId as string, "pending");
    expect(pending).toMatchObject({
      actionType: "update_targeting",
      entityType: "adset",
      entityId: adset.adsetId,
      currentValue: adset.targeting,
      newValue: { countries: ["US", "CA"] },
    });
    // Nothing changed until the customer approves.
    expect((await readAdset(t, "meta", adset.adsetId)).targeting).toEqual(adset.targeting);
    const approved = await api(
      "POST",
      `/v1/projects/${t.projectId}/ads/meta/pending/${res.body.pendingId}/approve`,
      {
        key: t.keys.customer,
      },
    );
    expect(approved.status, approved.text).toBe(200);
    expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({ status: "completed" });
    expect((await readAdset(t, "meta", adset.adsetId)).targeting.countries).toEqual(["US", "CA"]);
  });

  it("off: denies with the verdict, and the ad set stays as it was", async () => {
    const { t, adset } = await setup("meta", "off");
    const res = await patchTargeting(t, "meta", adset.adsetId, { ageMax: 40 });
    expectError(res, 403, "AUTHORITY_DENIED");
    expect(res.text).toContain('"axis":"tactical"');
    expect(res.text).toMatch(/"verdictId":"ver_[0-9A-HJKMNP-TV-Z]{26}"/);
    expect((await readAdset(t, "meta", adset.adsetId)).targeting).toEqual(adset.targeting);
  });
});

describe("PATCH …/targeting refusals", () => {
  it("answers 422 for each platform's limits, 404 for unknown ad sets, 403 without the scope", async () => {
    const meta = await setup("meta");
    expectError(await patchTargeting(meta.t, "meta", meta.adset.adsetId, { ageMax: 70 }), 422, "VALIDATION");
    expectError(
      await patchTargeting(meta.t, "meta", meta.adset.adsetId, { ageMin: 50, ageMax: 30 }),
      422,
      "VALIDATION",
    );
    expectError(
      await patchTargeting(meta.t, "meta", meta.adset.adsetId, { placements: ["tv"] }),
      422,
      "VALIDATION",
    );
    expectError(await patchTargeting(meta.t, "meta", meta.adset.adsetId, {}), 422, "VALIDATION");
    expectError(
      await patchTargeting(meta.t, "meta", meta.adset.adsetId, { colour: "red" }),
      422,
      "VALIDATION",
    );
    expectError(await patchTargeting(meta.t, "tiktok", meta.adset.adsetId, { ageMin: 20 }), 404, "NOT_FOUND");
    expectError(
      await patchTargeting(meta.t, "meta", "adg_01JD2V4W3X5Y6Z7A8B9C0D1E2F", { ageMin: 20 }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await patchTargeting(meta.t, "meta", meta.adset.adsetId, { ageMin: 20 }, meta.t.keys.readOnly),
      403,
      "FORBIDDEN_SCOPE",
    );
    const apple = await setup("apple");
    expectError(
      await patchTargeting(apple.t, "apple", apple.adset.adsetId, { countries: ["GB"] }),
      422,
      "VALIDATION",
    );
    expectError(
      await patchTargeting(apple.t, "apple", apple.adset.adsetId, { ageMin: 16 }),
      422,
      "VALIDATION",
    );
    const tiktok = await setup("tiktok");
    expectError(
      await patchTargeting(tiktok.t, "tiktok", tiktok.adset.adsetId, { placements: ["PLACEMENT_TIKTOK"] }),
      422,
      "VALIDATION",
    );
  });
});

describe("PATCH …/targeting on live platforms (outbound mocked)", () => {
  async function live(platform: "meta" | "tiktok") {
    const t = await createTenant();
    const campaignId = await liveCampaign(t, { platform });
    const adset = await defaultAdsetOf(t, campaignId);
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts[platform])
      .run();
    await storeCredential(env, t.adAccounts[platform], {
      kind: "oauth_token",
      accessToken: `${platform}-token`,
      expiresAt: null,
    });
    return { t, adset, key: (await t.addKey({ env: "live" })).key };
  }

  it("Meta: POST /{adset_id} with the whole targeting", async () => {
    const { t, adset, key } = await live("meta");
    const bodies: string[] = [];
    server.use(
      http.post(`https://graph.facebook.com/v25.0/${adset.platformAdsetId}`, async ({ request }) => {
        bodies.push(await request.text());
        return HttpResponse.json({ success: true });
      }),
    );
    // A live key cannot address a test-env campaign's objects differently: the write is the same.
    const res = await patchTargeting(t, "meta", adset.adsetId, { ageMin: 30 }, key);
    expect(res.status, res.text).toBe(202);
    expect(await waitForJob(key, res.body.jobId)).toMatchObject({ status: "completed" });
    expect(bodies).toHaveLength(1);
    expect(Object.fromEntries(new URLSearchParams(bodies[0]))).toEqual({
      targeting: JSON.stringify({
        geo_locations: { countries: ["US"] },
        targeting_automation: { advantage_audience: 0 },
        age_min: 30,
        age_max: 65,
      }),
      access_token: "meta-token",
    });
  });

  it("TikTok: POST /adgroup/update/ with the audience, never the placements", async () => {
    const { t, adset, key } = await live("tiktok");
    const bodies: unknown[] = [];
    server.use(
      http.post("https://business-api.tiktok.com/open_api/v1.3/adgroup/update/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ code: 0, message: "OK", request_id: "r", data: {} });
      }),
    );
    const res = await patchTargeting(
      t,
      "tiktok",
      adset.adsetId,
      { ageMin: 25, ageMax: 34, genders: ["male"] },
      key,
    );
    expect(res.status, res.text).toBe(202);
    expect(await waitForJob(key, res.body.jobId)).toMatchObject({ status: "completed" });
    expect(bodies).toEqual([
      {
        advertiser_id: "7012345678901234567",
        adgroup_id: adset.platformAdsetId,
        location_ids: ["6252001"],
        age_groups: ["AGE_25_34"],
        gender: "GENDER_MALE",
      },
    ]);
  });
});

describe("100 concurrent targeting PATCHes on one ad set", () => {
  it("each gets a verdict, and the last one applied wins", async () => {
    const { t, adset } = await setup("meta", "auto");
    // 100 distinct patches: ageMin 13..62 × one gender each.
    const patches = Array.from({ length: 100 }, (_, i) => ({
      ageMin: 13 + (i % 50),
      genders: [i < 50 ? "male" : "female"],
    }));
    const answers = await Promise.all(patches.map((p) => patchTargeting(t, "meta", adset.adsetId, p)));
    for (const res of answers) {
      expect(res.status, res.text).toBe(202);
      expect(res.body.verdictId).toMatch(VERDICT_ID);
    }
    const patchOf = new Map(answers.map((res, i) => [res.body.jobId, patches[i]]));
    const jobIds = answers.map((res) => res.body.jobId);
    for (const job of await waitForJobs(t.keys.partner, jobIds, { timeoutMs: 100_000 })) {
      expect(job.status, JSON.stringify(job)).toBe("completed");
    }
    const final = await readAdset(t, "meta", adset.adsetId);
    // The audit log lists newest first: the first completion among ours is the last applied.
    const completed = (await auditEvents(t, "job.completed"))?.filter((e) =>
      patchOf.has(e.data.jobId as string),
    );
    expect(completed).toHaveLength(100);
    const last = patchOf.get(completed?.[0]?.data.jobId as string);
    expect(final.targeting).toEqual({ ...adset.targeting, ...last });
  }, 120_000);
});
