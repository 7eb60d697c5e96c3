/** Fixtures for ads: a library creative, a live campaign's default ad set, a pushed ad, its review. */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { campaignObject } from "../../src/objects/campaign";
import { api } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import type { TestTenant } from "../helpers/tenant";
import { type Accepted, liveCampaign } from "../writes/fixtures";

export interface AdView {
  adId: string;
  adsetId: string;
  campaignId: string;
  creativeId: string;
  name: string;
  status: string;
  reviewStatus: string;
  platformReason: string | null;
  platformAdId: string;
  submittedAt: string;
  decidedAt: string | null;
}

export const AD_ID = /^ad_[0-9A-HJKMNP-TV-Z]{26}$/;

/** A video creative that fits Meta and TikTok. */
export const CREATIVE_BODY = {
  name: "Spring sale — 15s",
  format: "video",
  mediaUrl: "https://cdn.example.com/spring.mp4",
  thumbnailUrl: "https://cdn.example.com/spring.jpg",
  primaryText: "Spring sale: 20% off everything.",
  headline: "Spring sale",
  callToAction: "shop_now",
  linkUrl: "https://shop.example.com/spring",
};

export async function createCreative(t: TestTenant, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api("POST", `/v1/projects/${t.projectId}/ads/creatives`, {
    key: t.keys.partner,
    body: { ...CREATIVE_BODY, ...body },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.creativeId as string;
}

export async function defaultAdset(t: TestTenant, campaignId: string): Promise<{ adsetId: string }> {
  const res = await api<{ items: { adsetId: string; platformAdsetId: string | null }[] }>(
    "GET",
    `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
    { key: t.keys.readOnly },
  );
  const adset = res.body.items[0];
  expect(adset?.platformAdsetId, res.text).toBeTruthy();
  return adset as { adsetId: string };
}

/** A live campaign (creative axis `auto`) with its default ad set. */
export async function campaignWithAdset(t: TestTenant, platform: SeedPlatform) {
  const campaignId = await liveCampaign(t, { platform });
  return { campaignId, adsetId: (await defaultAdset(t, campaignId)).adsetId };
}

export const push = (
  t: TestTenant,
  platform: SeedPlatform,
  adsetId: string,
  body: Record<string, unknown>,
  key = t.keys.partner,
) =>
  api<Accepted>("POST", `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}/ads`, { key, body });

export const adPath = (t: TestTenant, platform: SeedPlatform, adId: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/ads/${adId}`;

export async function readAd(t: TestTenant, platform: SeedPlatform, adId: string): Promise<AdView> {
  const res = await api<AdView>("GET", adPath(t, platform, adId), { key: t.keys.readOnly });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** Pushes a creative in `auto` and waits for the ad; returns its id. */
export async function pushAndComplete(
  t: TestTenant,
  platform: SeedPlatform,
  adsetId: string,
  creativeId: string,
  key = t.keys.partner,
): Promise<string> {
  const res = await push(t, platform, adsetId, { creativeId }, key);
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(key, res.body.jobId);
  expect(job.status, JSON.stringify(job)).toBe("completed");
  const adId = (job.result as { adId?: string } | undefined)?.adId;
  expect(adId).toMatch(AD_ID);
  return adId as string;
}

/** Runs the campaign object's review lookups as if their time had come. */
export function settleReviews(campaignId: string, at = Date.now() + 24 * 3600 * 1000): Promise<number> {
  return campaignObject(env, campaignId).pollReviews(at);
}
