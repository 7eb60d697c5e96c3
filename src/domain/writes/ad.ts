/**
 * Owns the ad-level gated writes (Meta, TikTok): push, replace and prune a creative (creative
 * axis) and pause, resume, delete an ad (structural), one description each, judged against
 * the parent campaign's authority by the same pipeline as every other write. Pure.
 */
import { type AdRecord, type AdStatus, type AdValue, type CreativeValue, isServing } from "../ad-model";
import { submitForReview } from "../ad-review";
import { ACTION_AXIS, type ActionValue } from "../campaign-model";
import { readiness } from "./adset";
import { campaignSpec } from "./campaign";
import type { Refusal, WriteDescription, WriteTarget } from "./types";

export type AdWrite<V extends ActionValue = ActionValue> = WriteDescription<WriteTarget, V>;

const ad = (t: WriteTarget): AdRecord => {
  if (!t.ad) throw new Error("an ad write without its ad");
  return t.ad;
};

/** An ad write needs its ad on the platform, in an ad set and campaign that are too. */
function adReadiness(target: WriteTarget, allowPruned: boolean): Refusal | null {
  const notReady = readiness(target.campaign, target.adset);
  if (notReady) return notReady;
  if (!target.ad) return { code: "CONFLICT", message: "This write needs an ad." };
  if (target.ad.status === "deleted")
    return { code: "CONFLICT", message: "This ad is deleted.", details: { status: "deleted" } };
  if (target.ad.status === "pruned" && !allowPruned) {
    return {
      code: "CONFLICT",
      message: "This ad's creative was pruned; push a creative as a new ad instead.",
      details: { status: "pruned" },
    };
  }
  return null;
}

function platformIds(target: WriteTarget) {
  const { campaign, adset } = target;
  if (!campaign.platformCampaignId || !adset?.platformAdsetId) return null;
  return { platformCampaignId: campaign.platformCampaignId, platformAdsetId: adset.platformAdsetId };
}

const pushCreative: AdWrite<AdValue> = {
  action: "push_creative",
  axis: ACTION_AXIS.push_creative,
  blocker: (target) => readiness(target.campaign, target.adset),
  currentValue: () => null,
  // The ad exists: this push already took place.
  isNoop: (target) => Boolean(target.ad),
  operation(target, value) {
    const ids = platformIds(target);
    if (!ids) return null;
    return {
      type: "create_ad",
      campaign: campaignSpec(target.campaign),
      ...ids,
      ad: { adId: value.adId, name: value.name, creative: value.creative },
    };
  },
  settle(target, value, outcome) {
    const adset = target.adset;
    if (!adset || !outcome?.platformAdId) return;
    const now = new Date().toISOString();
    const created: AdRecord = {
      id: value.adId,
      campaignId: target.campaign.id,
      adsetId: adset.id,
      platform: target.campaign.platform,
      name: value.name,
      status: "active",
      creative: value.creative,
      platformAdId: outcome.platformAdId,
      platformCreativeId: outcome.platformCreativeId ?? null,
      reviewStatus: "pending_review",
      platformReason: null,
      submittedAt: now,
      decidedAt: null,
      reviewChecks: 0,
      nextReviewAt: null,
      sandbox: outcome.sandbox === true,
      createdAt: now,
      updatedAt: now,
    };
    submitForReview(created, now);
    target.ad = created;
  },
};

const replaceCreative: AdWrite<CreativeValue> = {
  action: "replace_creative",
  axis: ACTION_AXIS.replace_creative,
  blocker: (target) => adReadiness(target, false),
  currentValue: (target) => ({ creativeId: ad(target).creative.creativeId }),
  isNoop: (target, value) => ad(target).creative.creativeId === value.creativeId,
  operation(target, value) {
    const ids = platformIds(target);
    if (!ids) return null;
    const current = ad(target);
    return {
      type: "replace_ad_creative",
      campaign: campaignSpec(target.campaign),
      ...ids,
      platformAdId: current.platformAdId,
      ad: { adId: current.id, name: current.name, creative: value.creative },
    };
  },
  settle(target, value, outcome) {
    const current = ad(target);
    current.creative = value.creative;
    if (outcome?.platformCreativeId) current.platformCreativeId = outcome.platformCreativeId;
    // A new creative is a new review on both platforms.
    submitForReview(current, new Date().toISOString());
  },
};

const pruneCreative: AdWrite<{ status: AdStatus }> = {
  action: "prune_creative",
  axis: ACTION_AXIS.prune_creative,
  blocker(target) {
    const notReady = adReadiness(target, true);
    if (notReady) return notReady;
    const current = ad(target);
    if (!isServing(current)) return null;
    const othersServing = (target.adsetAds ?? []).some((a) => a.id !== current.id && isServing(a));
    if (othersServing) return null;
    return {
      code: "WOULD_LEAVE_ADSET_EMPTY",
      message:
        "This is the last serving ad of its ad set; push another creative first, or pause or delete the ad set.",
      details: { adsetId: current.adsetId },
    };
  },
  currentValue: (target) => ({ status: ad(target).status }),
  isNoop: (target) => ad(target).status === "pruned",
  operation(target) {
    const ids = platformIds(target);
    if (!ids) return null;
    return {
      type: "prune_ad",
      campaign: campaignSpec(target.campaign),
      ...ids,
      platformAdId: ad(target).platformAdId,
    };
  },
  settle(target) {
    Object.assign(ad(target), { status: "pruned", nextReviewAt: null });
  },
};

/** Pause, resume and delete: structural writes that move the ad to one status. */
function statusWrite(
  action: "pause_ad" | "resume_ad" | "delete_ad",
  status: AdStatus,
): AdWrite<{ status: AdStatus }> {
  return {
    action,
    axis: ACTION_AXIS[action],
    blocker: (target) => adReadiness(target, action === "delete_ad"),
    currentValue: (target) => ({ status: ad(target).status }),
    isNoop: (target) => ad(target).status === status,
    operation(target) {
      const ids = platformIds(target);
      if (!ids) return null;
      return {
        type: action,
        campaign: campaignSpec(target.campaign),
        ...ids,
        platformAdId: ad(target).platformAdId,
      };
    },
    settle(target) {
      const current = ad(target);
      current.status = status;
      if (status === "deleted") current.nextReviewAt = null;
    },
  };
}

export const AD_WRITES = {
  push_creative: pushCreative,
  replace_creative: replaceCreative,
  prune_creative: pruneCreative,
  pause_ad: statusWrite("pause_ad", "paused"),
  resume_ad: statusWrite("resume_ad", "active"),
  delete_ad: statusWrite("delete_ad", "deleted"),
} as const;
