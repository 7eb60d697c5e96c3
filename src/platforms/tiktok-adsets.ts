/** Owns the TikTok ad group requests' bodies: `POST /adgroup/create/` from our ad set. */
import { adsetGoal, TIKTOK_AGE_GROUPS, TIKTOK_LOCATION_IDS } from "../domain/adset-defaults";
import type { AdsetSpec } from "../domain/adset-model";
import { toTikTokAmount } from "../domain/money";
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
  const start = adset.schedule.startTime ?? new Date().toISOString();
  return {
    advertiser_id: account.externalId,
    campaign_id: platformCampaignId,
    adgroup_name: adset.name,
    ...(goal.destination ? { promotion_type: goal.destination } : {}),
    ...tiktokTargeting(adset.targeting),
    ...budget,
    schedule_type: adset.schedule.endTime ? "SCHEDULE_START_END" : "SCHEDULE_FROM_NOW",
    schedule_start_time: tiktokTime(start),
    ...(adset.schedule.endTime ? { schedule_end_time: tiktokTime(adset.schedule.endTime) } : {}),
    optimization_goal: adset.optimizationGoal,
    billing_event: adset.billingEvent,
    bid_type: typeof adset.bidStrategy.type === "string" ? adset.bidStrategy.type : "BID_TYPE_NO_BID",
    pacing: "PACING_MODE_SMOOTH",
    operation_status: "ENABLE",
    request_id: requestId,
  };
}
