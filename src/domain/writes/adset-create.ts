/**
 * Owns `create_adset`: another ad set under an existing campaign (structural). The ad set is
 * added to the tree with its `adg_…` id when the write is accepted (status `pending`), starts
 * from the campaign's defaults (`adset-defaults.ts`) with the caller's overrides, and takes its
 * platform id when the platform confirms it.
 */

import { budgetLevel, defaultAdset, OPTIMIZATION_GOALS } from "../adset-defaults";
import { type AdsetRecord, adsetSpec, type Daypart } from "../adset-model";
import { type TargetingPatch, targetingIssues } from "../adset-rules";
import { ACTION_AXIS } from "../campaign-model";
import { bidStrategyIssues } from "../campaign-rules";
import { scheduleIssues } from "../schedule-rules";
import { campaignSpec, readiness } from "./campaign";
import type { Refusal, WriteDescription, WriteTarget } from "./types";

/** The job's stored value: the new ad set's id (allocated by the route) and the caller's body. */
export interface CreateAdsetValue extends Record<string, unknown> {
  adsetId: string;
  name: string;
  optimizationGoal?: string;
  targeting?: TargetingPatch;
  schedule?: { startTime?: string; endTime?: string | null; dayparts?: Daypart[] };
  bidStrategy?: Record<string, unknown>;
  dailyBudgetCents?: number;
  lifetimeBudgetCents?: number;
}

interface Issue {
  path: string;
  message: string;
}

function invalid(issues: Issue[]): Refusal {
  return {
    code: "VALIDATION",
    message: issues.map((i) => i.message).join(" "),
    details: { issues: issues.map((i) => ({ location: "body", ...i })) },
  };
}

/** Everything the new ad set's body cannot be under this campaign, on this platform. */
function createIssues(target: WriteTarget, v: CreateAdsetValue, now: number): Issue[] {
  const { campaign } = target;
  const platform = campaign.platform;
  const issues: Issue[] = [];
  const hasBudget = v.dailyBudgetCents !== undefined || v.lifetimeBudgetCents !== undefined;
  const level = budgetLevel(campaign);
  if (level === "campaign" && hasBudget) {
    issues.push({
      path: v.dailyBudgetCents !== undefined ? "dailyBudgetCents" : "lifetimeBudgetCents",
      message:
        "This campaign's budget lives at campaign level (budgetLevel campaign); its ad sets take none.",
    });
  }
  if (level === "adset" && !hasBudget) {
    issues.push({
      path: "dailyBudgetCents",
      message: "This campaign's budget lives on its ad sets (budgetLevel adset): give the ad set one.",
    });
  }
  if (v.optimizationGoal !== undefined && !(v.optimizationGoal in OPTIMIZATION_GOALS[platform])) {
    issues.push({
      path: "optimizationGoal",
      message: `${platform} optimization goals: ${Object.keys(OPTIMIZATION_GOALS[platform]).join(", ")}.`,
    });
  }
  if (v.targeting) {
    issues.push(
      ...targetingIssues(platform, campaign.targeting, v.targeting, { creating: true }).map((i) => ({
        ...i,
        path: `targeting.${i.path}`,
      })),
    );
  }
  if (v.bidStrategy) {
    issues.push(...bidStrategyIssues(platform, v.bidStrategy, "bidStrategy."));
    // Meta under an Advantage campaign budget and Apple keep the bid strategy on the campaign.
    const onCampaign = platform === "apple" || (platform === "meta" && level === "campaign");
    if (onCampaign && v.bidStrategy.type !== campaign.bidStrategy.type) {
      issues.push({
        path: "bidStrategy.type",
        message: `On this ${platform} campaign the bid strategy lives on the campaign (${String(campaign.bidStrategy.type)}); change it with PATCH …/campaigns/{campaignId}/bid-strategy.`,
      });
    }
  }
  const lifetime = v.lifetimeBudgetCents !== undefined || campaign.lifetimeBudgetCents !== null;
  const schedule = v.schedule ?? {};
  const effective = {
    ...schedule,
    endTime: schedule.endTime === undefined ? campaign.endTime : schedule.endTime,
  };
  const ctx = {
    platform,
    lifetimeBudget: lifetime,
    ownLifetimeBudget: v.lifetimeBudgetCents !== undefined,
    now,
  };
  issues.push(
    ...scheduleIssues({ startTime: null, endTime: null }, effective, ctx).map((i) => ({
      ...i,
      path: `schedule.${i.path}`,
    })),
  );
  return issues;
}

/** Builds the new ad set: the campaign's defaults, then the caller's overrides. */
function newAdset(target: WriteTarget, v: CreateAdsetValue, now: string): AdsetRecord {
  const { campaign } = target;
  // The campaign's promoted object (Meta) is the one its ad sets share.
  const promoted = target.tree.find((a) => a.promotedObject !== null)?.promotedObject ?? null;
  const adset = defaultAdset(campaign, v.adsetId, promoted);
  const start =
    campaign.startTime && Date.parse(campaign.startTime) > Date.parse(now) ? campaign.startTime : now;
  const goal = v.optimizationGoal;
  const billing = goal ? OPTIMIZATION_GOALS[campaign.platform][goal] : undefined;
  const bid = v.bidStrategy;
  return {
    ...adset,
    name: v.name,
    ...(goal && billing ? { optimizationGoal: goal, billingEvent: billing } : {}),
    targeting: { ...adset.targeting, ...v.targeting },
    schedule: {
      startTime: v.schedule?.startTime ?? start,
      endTime: v.schedule?.endTime === undefined ? campaign.endTime : v.schedule.endTime,
      ...(v.schedule?.dayparts?.length ? { dayparts: v.schedule.dayparts } : {}),
    },
    bidStrategy:
      campaign.platform === "apple"
        ? {
            ...adset.bidStrategy,
            ...(typeof bid?.bidAmountCents === "number" ? { defaultBidCents: bid.bidAmountCents } : {}),
          }
        : { ...adset.bidStrategy, ...bid },
    dailyBudgetCents: v.dailyBudgetCents ?? null,
    lifetimeBudgetCents: v.lifetimeBudgetCents ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

const has = (t: WriteTarget): AdsetRecord => {
  if (!t.adset) throw new Error("an ad set create without its ad set");
  return t.adset;
};

export const CREATE_ADSET_WRITE: WriteDescription<WriteTarget, CreateAdsetValue> = {
  action: "create_adset",
  axis: ACTION_AXIS.create_adset,
  blocker(target, value) {
    const notReady = readiness(target.campaign, "create_adset");
    if (notReady) return notReady;
    // Apple has no create idempotency key: a retry finds its ad group by name (unique per campaign).
    const live = target.tree.filter((a) => a.status !== "deleted" && a.status !== "failed");
    if (target.campaign.platform === "apple" && live.some((a) => a.name === value.name)) {
      return {
        code: "CONFLICT",
        message: "Apple ad group names are unique within a campaign; this campaign has one by that name.",
        details: { name: value.name },
      };
    }
    const issues = createIssues(target, value, Date.now());
    return issues.length > 0 ? invalid(issues) : null;
  },
  currentValue: () => null,
  isNoop: () => false,
  creates: newAdset,
  operation(target) {
    const adset = has(target);
    const { campaign } = target;
    if (!campaign.platformCampaignId || adset.platformAdsetId) return null;
    return {
      type: "create_adset",
      campaign: campaignSpec(campaign),
      platformCampaignId: campaign.platformCampaignId,
      adset: adsetSpec(adset),
    };
  },
  settle(target, _value, outcome) {
    const adset = has(target);
    if (outcome?.platformAdsetId) adset.platformAdsetId = outcome.platformAdsetId;
    // Settled without the platform (its campaign never made it there): it did not either.
    adset.status = adset.platformAdsetId ? "active" : "failed";
  },
  abandon(target, outcome, now) {
    const adset = has(target);
    if (adset.platformAdsetId) return;
    Object.assign(adset, { status: outcome, updatedAt: now });
  },
};
