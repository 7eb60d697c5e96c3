/**
 * Owns the ad set-level gated writes (TikTok, Apple: ad group), one description each, judged
 * against the parent campaign's authority by the same pipeline as the campaign writes. Pure:
 * the campaign object's pipeline and job machine do the I/O.
 */

import { budgetLevel } from "../adset-defaults";
import { type AdsetRecord, type AdsetStatus, adsetSpec } from "../adset-model";
import { type TargetingPatch, targetingIssues } from "../adset-rules";
import { ACTION_AXIS, type ActionValue, type BudgetValue, type CampaignRecord } from "../campaign-model";
import { campaignSpec } from "./campaign";
import type { Refusal, WriteDescription, WriteTarget } from "./types";

export type AdsetWrite<V extends ActionValue = ActionValue> = WriteDescription<WriteTarget, V>;

/** An ad set write needs its ad set live on the platform, under a campaign that is too. */
export function readiness(campaign: CampaignRecord, adset: AdsetRecord | null): Refusal | null {
  if (!adset) return { code: "CONFLICT", message: "This write needs an ad set." };
  if (adset.status === "deleted")
    return { code: "CONFLICT", message: "This ad set is deleted.", details: { status: "deleted" } };
  if (adset.status === "failed" || adset.status === "rejected") {
    const why = adset.status === "failed" ? "failed" : "was rejected";
    return { code: "CONFLICT", message: `The ad set's create ${why}.`, details: { status: adset.status } };
  }
  if (adset.status === "pending" || !adset.platformAdsetId || !campaign.platformCampaignId) {
    return {
      code: "CONFLICT",
      message: "The ad set is not on the platform yet; wait for its create job.",
      details: { status: adset.status },
    };
  }
  return null;
}

export const has = (t: WriteTarget): AdsetRecord => {
  if (!t.adset) throw new Error("an ad set write without its ad set");
  return t.adset;
};

const updateTargeting: AdsetWrite<TargetingPatch> = {
  action: "update_targeting",
  axis: ACTION_AXIS.update_targeting,
  blocker(target, patch) {
    const notReady = readiness(target.campaign, target.adset);
    if (notReady) return notReady;
    const issues = targetingIssues(target.campaign.platform, has(target).targeting, patch);
    if (issues.length === 0) return null;
    return {
      code: "VALIDATION",
      message: issues.map((i) => i.message).join(" "),
      details: { issues: issues.map((i) => ({ location: "body", ...i })) },
    };
  },
  currentValue: (target) => ({ ...has(target).targeting }),
  isNoop: (target, patch) => {
    const current = has(target).targeting;
    return Object.entries(patch).every(([k, v]) => JSON.stringify(current[k]) === JSON.stringify(v));
  },
  operation(target, patch) {
    const adset = has(target);
    const { campaign } = target;
    if (!adset.platformAdsetId || !campaign.platformCampaignId) return null;
    return {
      type: "update_adset_targeting",
      campaign: campaignSpec(campaign),
      platformCampaignId: campaign.platformCampaignId,
      platformAdsetId: adset.platformAdsetId,
      adset: adsetSpec(adset),
      targeting: { ...adset.targeting, ...patch },
    };
  },
  settle(target, patch) {
    const adset = has(target);
    adset.targeting = { ...adset.targeting, ...patch };
  },
};

function budgetRefusal(path: keyof BudgetValue, message: string): Refusal {
  return { code: "VALIDATION", message, details: { issues: [{ location: "body", path, message }] } };
}

/** The ad set's budget; only where the budget lives at ad set level (no campaign budget). */
const updateAdsetBudget: AdsetWrite<BudgetValue> = {
  action: "update_budget",
  axis: ACTION_AXIS.update_budget,
  blocker(target, budget) {
    const field = budget.dailyBudgetCents !== undefined ? "dailyBudgetCents" : "lifetimeBudgetCents";
    if (budgetLevel(target.campaign) === "campaign") {
      return budgetRefusal(
        field,
        "This campaign's budget lives at campaign level; change it with PATCH …/campaigns/{campaignId}/budget.",
      );
    }
    if (target.campaign.platform === "apple") return budgetRefusal(field, "Apple ad groups have no budget.");
    const notReady = readiness(target.campaign, target.adset);
    if (notReady) return notReady;
    const adset = has(target);
    if (budget.dailyBudgetCents !== undefined && adset.dailyBudgetCents === null) {
      return budgetRefusal(
        "dailyBudgetCents",
        "This ad set has a lifetime budget; its budget kind cannot change.",
      );
    }
    if (budget.lifetimeBudgetCents !== undefined && adset.lifetimeBudgetCents === null) {
      return budgetRefusal(
        "lifetimeBudgetCents",
        "This ad set has a daily budget; its budget kind cannot change.",
      );
    }
    return null;
  },
  currentValue: (target) => {
    const adset = has(target);
    return adset.dailyBudgetCents !== null
      ? { dailyBudgetCents: adset.dailyBudgetCents }
      : { lifetimeBudgetCents: adset.lifetimeBudgetCents ?? 0 };
  },
  isNoop: (target, budget) => {
    const adset = has(target);
    return (
      (budget.dailyBudgetCents ?? adset.dailyBudgetCents) === adset.dailyBudgetCents &&
      (budget.lifetimeBudgetCents ?? adset.lifetimeBudgetCents) === adset.lifetimeBudgetCents
    );
  },
  operation(target, budget) {
    const adset = has(target);
    const { campaign } = target;
    if (!adset.platformAdsetId || !campaign.platformCampaignId) return null;
    return {
      type: "update_adset_budget",
      campaign: campaignSpec(campaign),
      platformCampaignId: campaign.platformCampaignId,
      platformAdsetId: adset.platformAdsetId,
      ...budget,
    };
  },
  settle(target, budget) {
    const adset = has(target);
    if (budget.dailyBudgetCents !== undefined) adset.dailyBudgetCents = budget.dailyBudgetCents;
    if (budget.lifetimeBudgetCents !== undefined) adset.lifetimeBudgetCents = budget.lifetimeBudgetCents;
  },
};

/** Pause, resume and delete: structural writes that move the ad set to one status. */
function statusWrite(
  action: "pause_adset" | "resume_adset" | "delete_adset",
  status: AdsetStatus,
): AdsetWrite<{ status: AdsetStatus }> {
  return {
    action,
    axis: ACTION_AXIS[action],
    blocker: (target) => readiness(target.campaign, target.adset),
    currentValue: (target) => ({ status: has(target).status }),
    isNoop: (target) => has(target).status === status,
    operation(target) {
      const adset = has(target);
      const { campaign } = target;
      if (!adset.platformAdsetId || !campaign.platformCampaignId) return null;
      return {
        type: action,
        campaign: campaignSpec(campaign),
        platformCampaignId: campaign.platformCampaignId,
        platformAdsetId: adset.platformAdsetId,
      };
    },
    settle(target) {
      has(target).status = status;
    },
  };
}

/** `update_budget` serves both levels: with an ad set it is this description. */
export const ADSET_BUDGET_WRITE = updateAdsetBudget as AdsetWrite;

export const ADSET_WRITES = {
  update_targeting: updateTargeting,
  pause_adset: statusWrite("pause_adset", "paused"),
  resume_adset: statusWrite("resume_adset", "active"),
  delete_adset: statusWrite("delete_adset", "deleted"),
} as const;
