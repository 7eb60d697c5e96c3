/**
 * Owns following the platform's review of each ad: after a push or a replace the ad is
 * `pending_review` with a next lookup time; the object's alarm looks it up (bounded, with
 * backoff: `domain/ad-review.ts`) until the platform decides, stores the decision on the ad,
 * and emits `ad.review_changed` (an audit event that is also the webhook event).
 */

import { executeOnPlatform } from "../../dispatch/execute";
import type { AdRecord } from "../../domain/ad-model";
import { nextReviewDelaySeconds, reviewDue } from "../../domain/ad-review";
import type { AuditEvent } from "../../domain/audit-chain";
import { campaignSpec } from "../../domain/writes/campaign";
import { systemEvent } from "./events";
import type { CampaignHost } from "./state";

/** Looks up every review that is due; returns how many were looked up. */
export async function pollReviews(host: CampaignHost, now = Date.now()): Promise<number> {
  const campaign = host.state.campaign;
  if (!campaign?.platformCampaignId) return 0;
  const due = [...host.state.ads.values()].filter((ad) => reviewDue(ad, now));
  for (const ad of due) await lookUp(host, ad, now);
  return due.length;
}

async function lookUp(host: CampaignHost, ad: AdRecord, now: number): Promise<void> {
  const campaign = host.state.existing;
  const platformCampaignId = campaign.platformCampaignId;
  if (!platformCampaignId) return;
  const submittedAt = ad.submittedAt;
  const result = await executeOnPlatform(host.env, {
    jobId: `review:${ad.id}`,
    attempt: ad.reviewChecks + 1,
    adAccountId: campaign.adAccountId,
    operation: {
      type: "get_ad_review",
      campaign: campaignSpec(campaign),
      platformCampaignId,
      platformAdId: ad.platformAdId,
      ad: { adId: ad.id, name: ad.name, creative: ad.creative },
    },
    sandbox: ad.sandbox,
  });
  // Other work ran while we waited: a replace may have started a new review meanwhile.
  const current = host.state.ads.get(ad.id);
  if (!current || current.submittedAt !== submittedAt || current.reviewStatus !== "pending_review") return;
  const at = new Date(now).toISOString();
  current.reviewChecks += 1;
  const audit: AuditEvent[] = [];
  const decided =
    result.ok && result.review && result.review.status !== "pending_review" ? result.review : null;
  if (decided) {
    Object.assign(current, {
      reviewStatus: decided.status,
      platformReason: decided.reason,
      decidedAt: at,
      nextReviewAt: null,
      updatedAt: at,
    });
    audit.push(
      systemEvent(campaign, "ad.review_changed", {
        adId: current.id,
        adsetId: current.adsetId,
        creativeId: current.creative.creativeId,
        platform: current.platform,
        platformAdId: current.platformAdId,
        status: decided.status,
        platformReason: decided.reason,
        submittedAt: current.submittedAt,
        decidedAt: at,
      }),
    );
  } else {
    // Still in review, or the lookup failed: ask again later, up to the budget of lookups.
    const delay = nextReviewDelaySeconds(current.reviewChecks, current.sandbox);
    current.nextReviewAt = delay === null ? null : new Date(now + delay * 1000).toISOString();
    if (delay === null) {
      audit.push(
        systemEvent(campaign, "ad.review_unsettled", {
          adId: current.id,
          checks: current.reviewChecks,
          lastError: result.ok ? null : result.message,
        }),
      );
    }
  }
  await host.commit({ ads: [current], audit });
}

/** When the next review lookup is due, if any ad is in review. */
export function nextReviewAt(host: CampaignHost): number | null {
  let at: number | null = null;
  for (const ad of host.state.ads.values()) {
    if (ad.reviewStatus !== "pending_review" || ad.nextReviewAt === null || ad.status === "deleted") continue;
    const due = Date.parse(ad.nextReviewAt);
    at = at === null ? due : Math.min(at, due);
  }
  return at;
}
