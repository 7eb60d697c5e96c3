/**
 * Pushing a library creative as an ad (creative axis) on Meta and TikTok in auto, draft and
 * off; the ad's reads; its review followed to a decision in the sandbox.
 */
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import { auditEvents, decide, findPending, PENDING_ID, setAuthority, VERDICT_ID } from "../writes/fixtures";
import {
  AD_ID,
  type AdView,
  campaignWithAdset,
  createCreative,
  push,
  pushAndComplete,
  readAd,
  settleReviews,
} from "./fixtures";

describe("push a creative (auto)", () => {
  for (const platform of ["meta", "tiktok"] as const) {
    it(`${platform}: the pushed creative ends as an ad with a platform id and a review status`, async () => {
      const t = await createTenant();
      const { campaignId, adsetId } = await campaignWithAdset(t, platform);
      const creativeId = await createCreative(t);
      const adId = await pushAndComplete(t, platform, adsetId, creativeId);
      const ad = await readAd(t, platform, adId);
      expect(ad).toMatchObject({
        adId,
        adsetId,
        campaignId,
        creativeId,
        name: "Spring sale — 15s",
        status: "active",
        reviewStatus: "pending_review",
        platformReason: null,
        decidedAt: null,
      });
      expect(ad.platformAdId).toMatch(/^\d+$/);

      expect(await settleReviews(campaignId)).toBe(1);
      const reviewed = await readAd(t, platform, adId);
      expect(reviewed).toMatchObject({ reviewStatus: "approved", platformReason: null });
      expect(reviewed.decidedAt).not.toBeNull();
      // Settled: nothing left to look up.
      expect(await settleReviews(campaignId)).toBe(0);

      const list = await api<{ items: AdView[]; nextCursor: string | null }>(
        "GET",
        `/v1/projects/${t.projectId}/ads/ads?adsetId=${adsetId}`,
        { key: t.keys.readOnly },
      );
      expect(list.status, list.text).toBe(200);
      expect(list.body.items.map((a) => [a.adId, a.reviewStatus])).toEqual([[adId, "approved"]]);
      expect(list.body.nextCursor).toBeNull();

      const reviews = await api<{ items: Record<string, unknown>[] }>(
        "GET",
        `/v1/projects/${t.projectId}/ads/${platform}/reviews?status=approved`,
        { key: t.keys.readOnly },
      );
      expect(reviews.status, reviews.text).toBe(200);
      expect(reviews.body.items).toEqual([
        {
          adId,
          adsetId,
          campaignId,
          creativeId,
          status: "approved",
          platformReason: null,
          submittedAt: ad.submittedAt,
          decidedAt: reviewed.decidedAt,
        },
      ]);
      const changed = (await auditEvents(t, "ad.review_changed")) ?? [];
      expect(changed.map((e) => e.data)).toEqual([
        expect.objectContaining({ adId, status: "approved", creativeId }),
      ]);
    });
  }

  it("[sandbox:disapprove] in the creative's name makes its ad disapproved with a reason", async () => {
    const t = await createTenant();
    const { campaignId, adsetId } = await campaignWithAdset(t, "meta");
    const creativeId = await createCreative(t, { name: "Bold claim [sandbox:disapprove]" });
    const adId = await pushAndComplete(t, "meta", adsetId, creativeId);
    await settleReviews(campaignId);
    const ad = await readAd(t, "meta", adId);
    expect(ad.reviewStatus).toBe("disapproved");
    expect(ad.platformReason).toMatch(/Advertising Standards/);
    const reviews = await api<{ items: { adId: string }[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/meta/reviews?status=disapproved`,
      { key: t.keys.readOnly },
    );
    expect(reviews.body.items.map((r) => r.adId)).toEqual([adId]);
  });

  it("refuses a creative the platform cannot take (422), an unknown creative (404), and apple", async () => {
    const t = await createTenant();
    const { adsetId } = await campaignWithAdset(t, "tiktok");
    const image = await createCreative(t, { format: "image", thumbnailUrl: undefined });
    const res = await push(t, "tiktok", adsetId, { creativeId: image });
    expectError(res, 422, "VALIDATION");
    expect(res.text).toContain("creative.format");
    expectError(
      await push(t, "tiktok", adsetId, { creativeId: "adc_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
      404,
      "NOT_FOUND",
    );
    const apple = await campaignWithAdset(t, "apple");
    const video = await createCreative(t);
    expectError(await push(t, "apple", apple.adsetId, { creativeId: video }), 422, "VALIDATION");
    const none = await api<{ items: unknown[] }>("GET", `/v1/projects/${t.projectId}/ads/apple/reviews`, {
      key: t.keys.readOnly,
    });
    expect(none.body.items).toEqual([]);
    expectError(
      await api("GET", `/v1/projects/${t.projectId}/ads/apple/ads/ad_01JD2V4W3X5Y6Z7A8B9C0D1E2F`, {
        key: t.keys.readOnly,
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("push a creative by creative-axis mode", () => {
  it("draft: the push queues a pending action on the ad and dispatches on approval", async () => {
    const t = await createTenant();
    const { campaignId, adsetId } = await campaignWithAdset(t, "tiktok");
    await setAuthority(t, campaignId, { creative: "draft" }, "tiktok");
    const creativeId = await createCreative(t);
    const res = await push(t, "tiktok", adsetId, { creativeId, name: "Spring A" });
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    const pending = await findPending(t, res.body.pendingId as string, "pending", "tiktok");
    expect(pending).toMatchObject({
      actionType: "push_creative",
      entityType: "ad",
      entityId: expect.stringMatching(AD_ID),
      entityName: "Spring A",
      currentValue: null,
      newValue: expect.objectContaining({ creativeId, name: "Spring A" }),
    });
    const before = await api<{ items: unknown[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/ads?adsetId=${adsetId}`,
      {
        key: t.keys.readOnly,
      },
    );
    expect(before.body.items).toEqual([]);

    const approved = await decide(t, res.body.pendingId as string, "approve", { platform: "tiktok" });
    expect(approved.status, approved.text).toBe(200);
    const job = await waitForJob(t.keys.partner, res.body.jobId);
    expect(job).toMatchObject({ status: "completed", kind: "ads_push_creative" });
    const adId = (job.result as unknown as { adId: string }).adId;
    expect(adId).toBe(pending?.entityId);
    expect(await readAd(t, "tiktok", adId)).toMatchObject({
      name: "Spring A",
      reviewStatus: "pending_review",
    });
  });

  it("off: the push is denied with a verdict and no ad is created", async () => {
    const t = await createTenant();
    const { campaignId, adsetId } = await campaignWithAdset(t, "meta");
    await setAuthority(t, campaignId, { creative: "off" });
    const res = await push(t, "meta", adsetId, { creativeId: await createCreative(t) });
    expectError(res, 403, "AUTHORITY_DENIED");
    expect(res.text).toMatch(new RegExp(`"verdictId":"${VERDICT_ID.source.slice(1, -1)}"`));
    expect(res.text).toContain('"axis":"creative"');
    const list = await api<{ items: unknown[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/ads?campaignId=${campaignId}`,
      {
        key: t.keys.readOnly,
      },
    );
    expect(list.body.items).toEqual([]);
  });

  it("answers 403 without ads:write:creative", async () => {
    const t = await createTenant();
    const { adsetId } = await campaignWithAdset(t, "meta");
    const res = await push(t, "meta", adsetId, { creativeId: await createCreative(t) }, t.keys.readOnly);
    expectError(res, 403, "FORBIDDEN_SCOPE");
  });
});
