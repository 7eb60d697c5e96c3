/**
 * Owns the campaign-level gated writes, one description each: create, budget, pause, resume
 * and delete. Pure: the campaign object's pipeline and job machine do the I/O.
 */

import type { CampaignSpec, PlatformOperation } from "../../platforms/types";
import {
  ACTION_AXIS,
  type ActionType,
  type ActionValue,
  type BudgetValue,
  type CampaignRecord,
  type CampaignStatus,
  statusAfter,
} from "../campaign-model";
import type { Refusal, WriteDescription } from "./types";

/** The actions on the campaign itself (the ad set ones live in `writes/adset.ts`). */
export type CampaignAction =
  | "create_campaign"
  | "update_budget"
  | "pause_campaign"
  | "resume_campaign"
  | "delete_campaign";

export type CampaignWrite<V extends ActionValue = ActionValue> = WriteDescription<CampaignRecord, V>;

export function campaignSpec(c: CampaignRecord): CampaignSpec {
  return {
    campaignId: c.id,
    name: c.name,
    outcome: c.outcome,
    dailyBudgetCents: c.dailyBudgetCents,
    lifetimeBudgetCents: c.lifetimeBudgetCents,
    startTime: c.startTime,
    endTime: c.endTime,
    bidStrategy: c.bidStrategy,
    targeting: c.targeting,
    platformSettings: c.platformSettings,
  };
}

/** What a create asks the platform for: the job's stored value. */
export function createValue(c: CampaignRecord, adsetId: string): Record<string, unknown> {
  return {
    adsetId,
    name: c.name,
    outcome: c.outcome,
    dailyBudgetCents: c.dailyBudgetCents,
    lifetimeBudgetCents: c.lifetimeBudgetCents,
    startTime: c.startTime,
    endTime: c.endTime,
  };
}

/** Writes need a campaign that exists on the platform; a failed or rejected one can only be deleted. */
export function readiness(campaign: CampaignRecord, action: ActionType): Refusal | null {
  if (campaign.status === "pending" || campaign.status === "awaiting_approval") {
    return {
      code: "CONFLICT",
      message: "The campaign is not on the platform yet; wait for its create job.",
      details: { status: campaign.status },
    };
  }
  if ((campaign.status === "failed" || campaign.status === "rejected") && action !== "delete_campaign") {
    return {
      code: "CONFLICT",
      message: `The campaign's create ${campaign.status === "failed" ? "failed" : "was rejected"}.`,
      details: { status: campaign.status },
    };
  }
  return null;
}

function budgetKindRefusal(field: keyof BudgetValue, has: "lifetime" | "daily"): Refusal {
  return {
    code: "VALIDATION",
    message: `This campaign has a ${has} budget; its budget kind cannot change.`,
    details: { issues: [{ location: "body", path: field, message: `The campaign has a ${has} budget.` }] },
  };
}

/** The platform call on an existing campaign, or null when it never reached the platform. */
function onPlatform(
  campaign: CampaignRecord,
  build: (spec: CampaignSpec, platformCampaignId: string) => PlatformOperation,
): PlatformOperation | null {
  return campaign.platformCampaignId ? build(campaignSpec(campaign), campaign.platformCampaignId) : null;
}

function settleStatus(campaign: CampaignRecord, action: ActionType): void {
  campaign.status = statusAfter(action, campaign.status);
}

const createCampaign: CampaignWrite = {
  action: "create_campaign",
  axis: ACTION_AXIS.create_campaign,
  blocker: () => null,
  currentValue: () => null,
  isNoop: () => false,
  operation: (campaign) => ({ type: "create_campaign", campaign: campaignSpec(campaign) }),
  settle(campaign, _value, outcome) {
    if (outcome) campaign.platformCampaignId = outcome.platformCampaignId;
    settleStatus(campaign, "create_campaign");
  },
};

const updateBudget: CampaignWrite<BudgetValue> = {
  action: "update_budget",
  axis: ACTION_AXIS.update_budget,
  blocker(campaign, budget) {
    const notReady = readiness(campaign, "update_budget");
    if (notReady) return notReady;
    if (campaign.dailyBudgetCents === null && campaign.lifetimeBudgetCents === null) {
      const field = budget.dailyBudgetCents !== undefined ? "dailyBudgetCents" : "lifetimeBudgetCents";
      const message =
        "This campaign's budget lives on its ad sets (budgetLevel adset); change it with PATCH …/adsets/{adsetId}/budget.";
      return {
        code: "VALIDATION",
        message,
        details: { issues: [{ location: "body", path: field, message }] },
      };
    }
    if (budget.dailyBudgetCents !== undefined && campaign.dailyBudgetCents === null) {
      return budgetKindRefusal("dailyBudgetCents", "lifetime");
    }
    if (budget.lifetimeBudgetCents !== undefined && campaign.lifetimeBudgetCents === null) {
      return budgetKindRefusal("lifetimeBudgetCents", "daily");
    }
    return null;
  },
  currentValue: (campaign) =>
    campaign.dailyBudgetCents !== null
      ? { dailyBudgetCents: campaign.dailyBudgetCents }
      : { lifetimeBudgetCents: campaign.lifetimeBudgetCents ?? 0 },
  isNoop: (campaign, budget) =>
    (budget.dailyBudgetCents ?? campaign.dailyBudgetCents) === campaign.dailyBudgetCents &&
    (budget.lifetimeBudgetCents ?? campaign.lifetimeBudgetCents) === campaign.lifetimeBudgetCents,
  operation: (campaign, budget) =>
    onPlatform(campaign, (spec, platformCampaignId) => ({
      type: "update_budget",
      campaign: spec,
      platformCampaignId,
      ...budget,
    })),
  settle(campaign, budget) {
    if (budget.dailyBudgetCents !== undefined) campaign.dailyBudgetCents = budget.dailyBudgetCents;
    if (budget.lifetimeBudgetCents !== undefined) campaign.lifetimeBudgetCents = budget.lifetimeBudgetCents;
  },
};

/** Pause, resume and delete: structural writes that move the campaign to one status. */
function statusWrite(
  action: "pause_campaign" | "resume_campaign" | "delete_campaign",
  target: CampaignStatus,
): CampaignWrite<{ status: CampaignStatus }> {
  return {
    action,
    axis: ACTION_AXIS[action],
    blocker: (campaign) => readiness(campaign, action),
    currentValue: (campaign) => ({ status: campaign.status }),
    // A delete always goes to the platform: it is the one write a failed campaign still takes.
    isNoop: (campaign) => action !== "delete_campaign" && campaign.status === target,
    operation: (campaign) =>
      onPlatform(campaign, (spec, platformCampaignId) => ({
        type: action,
        campaign: spec,
        platformCampaignId,
      })),
    settle: (campaign) => settleStatus(campaign, action),
  };
}

const CAMPAIGN_WRITES: Record<CampaignAction, CampaignWrite> = {
  create_campaign: createCampaign,
  update_budget: updateBudget,
  pause_campaign: statusWrite("pause_campaign", "paused"),
  resume_campaign: statusWrite("resume_campaign", "active"),
  delete_campaign: statusWrite("delete_campaign", "deleted"),
};

export function campaignWrite(action: ActionType): CampaignWrite {
  const write = (CAMPAIGN_WRITES as Partial<Record<ActionType, CampaignWrite>>)[action];
  if (!write) throw new Error(`${action} is not a campaign-level write`);
  return write;
}
