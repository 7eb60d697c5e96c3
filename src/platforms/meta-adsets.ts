/** Owns the Meta ad set requests' bodies: `POST /act_{id}/adsets` form fields from our ad set. */
import { META_ADVANTAGE_AUDIENCE } from "../domain/adset-defaults";
import type { AdsetSpec } from "../domain/adset-model";
import { toMetaAmount } from "../domain/money";
import type { AdAccountConnection, CampaignSpec } from "./types";

const META_DESTINATIONS: Record<string, string> = { traffic: "WEBSITE", lead_generation: "ON_AD" };

/** Our gender words to Meta's `genders` numbers (1 men, 2 women: Unconfirmed). */
const META_GENDERS: Record<string, number> = { male: 1, female: 2 };

export function metaTargeting(targeting: Record<string, unknown>): Record<string, unknown> {
  const countries = Array.isArray(targeting.countries) ? targeting.countries : [];
  const out: Record<string, unknown> = {
    geo_locations: { countries },
    targeting_automation: { advantage_audience: META_ADVANTAGE_AUDIENCE },
  };
  if (typeof targeting.ageMin === "number") out.age_min = targeting.ageMin;
  if (typeof targeting.ageMax === "number") out.age_max = targeting.ageMax;
  if (Array.isArray(targeting.genders)) {
    const genders = targeting.genders.flatMap((g) =>
      typeof g === "string" && META_GENDERS[g] ? [META_GENDERS[g]] : [],
    );
    if (genders.length > 0 && genders.length < 2) out.genders = genders;
  }
  // "automatic" = omitted placement fields = Advantage+ placements; a list names publisher platforms.
  if (Array.isArray(targeting.placements)) out.publisher_platforms = targeting.placements;
  return out;
}

export function buildAdsetParams(
  campaign: CampaignSpec,
  platformCampaignId: string,
  adset: AdsetSpec,
  account: AdAccountConnection,
): URLSearchParams {
  const params = new URLSearchParams({
    name: adset.name,
    campaign_id: platformCampaignId,
    optimization_goal: adset.optimizationGoal,
    billing_event: adset.billingEvent,
    targeting: JSON.stringify(metaTargeting(adset.targeting)),
    status: "ACTIVE",
  });
  const destination = META_DESTINATIONS[campaign.outcome];
  if (destination) params.set("destination_type", destination);
  if (adset.promotedObject) params.set("promoted_object", JSON.stringify(adset.promotedObject));
  if (adset.schedule.startTime) params.set("start_time", adset.schedule.startTime);
  if (adset.schedule.endTime) params.set("end_time", adset.schedule.endTime);
  // With an Advantage campaign budget the bid strategy and budget live on the campaign.
  if (adset.dailyBudgetCents !== null) {
    params.set("daily_budget", String(toMetaAmount(adset.dailyBudgetCents, account.currency)));
  }
  if (adset.lifetimeBudgetCents !== null) {
    params.set("lifetime_budget", String(toMetaAmount(adset.lifetimeBudgetCents, account.currency)));
  }
  const hasAdsetBudget = adset.dailyBudgetCents !== null || adset.lifetimeBudgetCents !== null;
  if (hasAdsetBudget && typeof adset.bidStrategy.type === "string") {
    params.set("bid_strategy", adset.bidStrategy.type);
  }
  return params;
}
