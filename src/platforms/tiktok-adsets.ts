/** Owns the TikTok ad group requests' bodies: `POST /adgroup/create/` from our ad set. */
import { adsetGoal, TIKTOK_AGE_GROUPS, TIKTOK_LOCATION_IDS } from "../domain/adset-defaults";
import type { AdsetSchedule, AdsetSpec } from "../domain/adset-model";
import { toTikTokAmount } from "../domain/money";
import { weekSlots } from "../domain/schedule-rules";
import { LOCAL_CODES, PlatformFailure, rejectedFailure } from "./http";
import type { AdAccountConnection, CampaignSpec } from "./types";

const TIKTOK_GENDERS: Record<string, string> = { male: "GENDER_MALE", female: "GENDER_FEMALE" };

/** TikTok wants "YYYY-MM-DD HH:MM:SS" in UTC+0. */
function tiktokTime(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19).replace("T", " ");
}

export function tiktokTargeting(targeting: Record<string, unknown>): Record<string, unknown> {
  const countries = Array.isArray(targeting.countries) ? targeting.countries : [];
  const locationIds = countries.map((c) => {
    const id = typeof c === "string" ? TIKTOK_LOCATION_IDS[c] : undefined;
    if (!id)
      throw new PlatformFailure(
        rejectedFailure(`No TikTok location id for country ${String(c)}`, LOCAL_CODES.invalidRequest),
      );
    return id;
  });
  const ageMin = typeof targeting.ageMin === "number" ? targeting.ageMin : 18;
  const ageMax = typeof targeting.ageMax === "number" ? targeting.ageMax : 100;
  // Every bucket that overlaps the range (TikTok has no finer ages).
  const ageGroups = TIKTOK_AGE_GROUPS.filter(([low, high]) => high >= ageMin && low <= ageMax).map(
    ([, , name]) => name,
  );
  const genders = Array.isArray(targeting.genders) ? targeting.genders : [];
  const gender =
    genders.length === 1 && typeof genders[0] === "string" ? TIKTOK_GENDERS[genders[0]] : undefined;
  return {
    location_ids: locationIds,
    age_groups: ageGroups,
    gender: gender ?? "GENDER_UNLIMITED",
    ...(Array.isArray(targeting.placements)
      ? { placement_type: "PLACEMENT_TYPE_NORMAL", placements: targeting.placements }
      : { placement_type: "PLACEMENT_TYPE_AUTOMATIC" }),
  };
}

export function buildAdgroupBody(
  campaign: CampaignSpec,
  platformCampaignId: string,
  adset: AdsetSpec,
  account: AdAccountConnection,
  requestId: string,
): Record<string, unknown> {
  const goal = adsetGoal("tiktok", campaign.outcome);
  const budget =
    adset.dailyBudgetCents !== null
      ? { budget_mode: "BUDGET_MODE_DAY", budget: toTikTokAmount(adset.dailyBudgetCents, account.currency) }
      : adset.lifetimeBudgetCents !== null
        ? {
            budget_mode: "BUDGET_MODE_TOTAL",
            budget: toTikTokAmount(adset.lifetimeBudgetCents, account.currency),
          }
        : {};
  const bid = { type: "BID_TYPE_NO_BID", ...adset.bidStrategy };
  return {
    advertiser_id: account.externalId,
    campaign_id: platformCampaignId,
    adgroup_name: adset.name,
    ...(goal.destination ? { promotion_type: goal.destination } : {}),
    ...tiktokTargeting(adset.targeting),
    ...budget,
    ...tiktokScheduleFields(adset.schedule, Boolean(adset.schedule.dayparts?.length)),
    optimization_goal: adset.optimizationGoal,
    billing_event: adset.billingEvent,
    ...tiktokBidFields(bid, adset.billingEvent, account),
    pacing: "PACING_MODE_SMOOTH",
    operation_status: "ENABLE",
    request_id: requestId,
  };
}

/**
 * `dayparting`: 336 characters of 0/1, one per half hour of the week from Monday 00:00. No
 * dayparts: every slot on (Unconfirmed that this is how a schedule is cleared).
 */
export function tiktokDayparting(schedule: AdsetSchedule): string {
  const dayparts = schedule.dayparts ?? [];
  if (dayparts.length === 0) return "1".repeat(336);
  const sundayFirst = weekSlots(dayparts, 30);
  const mondayFirst = [...sundayFirst.slice(48), ...sundayFirst.slice(0, 48)];
  return mondayFirst.map((on) => (on ? "1" : "0")).join("");
}

/** The schedule fields of `/adgroup/update/` (start, end; dayparting when asked). */
export function tiktokScheduleFields(
  schedule: AdsetSchedule,
  withDayparting: boolean,
): Record<string, unknown> {
  const start = schedule.startTime ?? new Date().toISOString();
  return {
    schedule_type: schedule.endTime ? "SCHEDULE_START_END" : "SCHEDULE_FROM_NOW",
    schedule_start_time: tiktokTime(start),
    ...(schedule.endTime ? { schedule_end_time: tiktokTime(schedule.endTime) } : {}),
    ...(withDayparting ? { dayparting: tiktokDayparting(schedule) } : {}),
  };
}

/**
 * The bid fields of `/adgroup/update/`: `bid_type`, and with `BID_TYPE_CUSTOM` the amount in
 * the main unit, `conversion_bid_price` on OCPM ad groups, `bid_price` otherwise.
 */
export function tiktokBidFields(
  bid: Record<string, unknown>,
  billingEvent: string,
  account: AdAccountConnection,
): Record<string, unknown> {
  const fields: Record<string, unknown> = { bid_type: bid.type };
  if (typeof bid.bidAmountCents === "number") {
    const field = billingEvent === "OCPM" ? "conversion_bid_price" : "bid_price";
    fields[field] = toTikTokAmount(bid.bidAmountCents, account.currency);
  }
  return fields;
}
