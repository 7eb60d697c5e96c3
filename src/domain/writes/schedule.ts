/**
 * Owns `update_schedule` at both levels (tactical), told apart like `update_budget`:
 * - an ad set's: `startTime`, `endTime`, `dayparts` (each platform's daypart grid, see
 *   `schedule-rules.ts`);
 * - a campaign's: its flight dates. Meta and Apple campaigns have their own start and end, and
 *   their ad sets keep theirs (the platform clips delivery to the campaign's window); TikTok
 *   campaigns have none, so the dates go to every ad group of the campaign.
 */

import { type AdsetRecord, type AdsetSchedule, adsetSpec } from "../adset-model";
import { ACTION_AXIS, type CampaignRecord } from "../campaign-model";
import { type SchedulePatch, scheduleIssues } from "../schedule-rules";
import { has, readiness } from "./adset";
import { readiness as campaignReadiness, campaignSpec } from "./campaign";
import type { Refusal, WriteDescription, WriteTarget } from "./types";

type ScheduleWrite = WriteDescription<WriteTarget, SchedulePatch>;

function invalid(issues: { path: string; message: string }[]): Refusal | null {
  if (issues.length === 0) return null;
  return {
    code: "VALIDATION",
    message: issues.map((i) => i.message).join(" "),
    details: { issues: issues.map((i) => ({ location: "body", ...i })) },
  };
}

/** The schedule as a pending action and the read show it: dayparts always listed. */
function view(schedule: AdsetSchedule): Record<string, unknown> {
  return { startTime: schedule.startTime, endTime: schedule.endTime, dayparts: schedule.dayparts ?? [] };
}

export function applySchedule(schedule: AdsetSchedule, patch: SchedulePatch): AdsetSchedule {
  const next: AdsetSchedule = {
    startTime: patch.startTime ?? schedule.startTime,
    endTime: patch.endTime === undefined ? schedule.endTime : patch.endTime,
  };
  const dayparts = patch.dayparts ?? schedule.dayparts ?? [];
  if (dayparts.length > 0) next.dayparts = dayparts;
  return next;
}

const sameSchedule = (a: AdsetSchedule, b: AdsetSchedule) =>
  JSON.stringify(view(a)) === JSON.stringify(view(b));

const hasLifetime = (campaign: CampaignRecord, adset?: AdsetRecord) =>
  campaign.lifetimeBudgetCents !== null || (adset?.lifetimeBudgetCents ?? null) !== null;

const updateAdsetSchedule: ScheduleWrite = {
  action: "update_schedule",
  axis: ACTION_AXIS.update_schedule,
  blocker(target, patch) {
    const notReady = readiness(target.campaign, target.adset);
    if (notReady) return notReady;
    const adset = has(target);
    return invalid(
      scheduleIssues(adset.schedule, patch, {
        platform: target.campaign.platform,
        lifetimeBudget: hasLifetime(target.campaign, adset),
        ownLifetimeBudget: adset.lifetimeBudgetCents !== null,
        now: Date.now(),
      }),
    );
  },
  currentValue: (target) => view(has(target).schedule),
  isNoop: (target, patch) => {
    const schedule = has(target).schedule;
    return sameSchedule(schedule, applySchedule(schedule, patch));
  },
  operation(target, patch) {
    const adset = has(target);
    const { campaign } = target;
    if (!adset.platformAdsetId || !campaign.platformCampaignId) return null;
    const schedule = applySchedule(adset.schedule, patch);
    return {
      type: "update_adset_schedule",
      campaign: campaignSpec(campaign),
      platformCampaignId: campaign.platformCampaignId,
      platformAdsetId: adset.platformAdsetId,
      adset: { ...adsetSpec(adset), schedule },
      schedule,
    };
  },
  settle(target, patch) {
    const adset = has(target);
    adset.schedule = applySchedule(adset.schedule, patch);
  },
};

/** The ad sets a campaign-level write reaches: those live on the platform. */
export function liveAdsets(target: WriteTarget): (AdsetRecord & { platformAdsetId: string })[] {
  return target.tree.filter(
    (a): a is AdsetRecord & { platformAdsetId: string } =>
      a.platformAdsetId !== null && a.status !== "deleted" && a.status !== "failed",
  );
}

const campaignDates = (c: CampaignRecord): AdsetSchedule => ({ startTime: c.startTime, endTime: c.endTime });

const updateCampaignSchedule: ScheduleWrite = {
  action: "update_schedule",
  axis: ACTION_AXIS.update_schedule,
  touchesTree: true,
  blocker(target, patch) {
    const notReady = campaignReadiness(target.campaign, "update_schedule");
    if (notReady) return notReady;
    const { campaign } = target;
    return invalid(
      scheduleIssues(campaignDates(campaign), patch, {
        platform: campaign.platform,
        lifetimeBudget: hasLifetime(campaign) || target.tree.some((a) => a.lifetimeBudgetCents !== null),
        ownLifetimeBudget: false,
        now: Date.now(),
      }),
    );
  },
  currentValue: (target) => ({ ...campaignDates(target.campaign) }),
  isNoop: (target, patch) => {
    const dates = campaignDates(target.campaign);
    const next = applySchedule(dates, patch);
    const adsetsFollow =
      target.campaign.platform !== "tiktok" ||
      liveAdsets(target).every((a) => sameSchedule(a.schedule, applySchedule(a.schedule, patch)));
    return sameSchedule(dates, next) && adsetsFollow;
  },
  operation(target, patch) {
    const { campaign } = target;
    if (!campaign.platformCampaignId) return null;
    const next = applySchedule(campaignDates(campaign), patch);
    return {
      type: "update_campaign_schedule",
      campaign: campaignSpec(campaign),
      platformCampaignId: campaign.platformCampaignId,
      startTime: next.startTime,
      endTime: next.endTime,
      adsets: liveAdsets(target).map((a) => ({
        platformAdsetId: a.platformAdsetId,
        schedule: applySchedule(a.schedule, { startTime: patch.startTime, endTime: patch.endTime }),
      })),
    };
  },
  settle(target, patch) {
    const { campaign } = target;
    const next = applySchedule(campaignDates(campaign), patch);
    campaign.startTime = next.startTime;
    campaign.endTime = next.endTime;
    if (campaign.platform !== "tiktok") return;
    for (const adset of liveAdsets(target)) adset.schedule = applySchedule(adset.schedule, patch);
  },
};

export const ADSET_SCHEDULE_WRITE = updateAdsetSchedule;
export const CAMPAIGN_SCHEDULE_WRITE = updateCampaignSchedule;
