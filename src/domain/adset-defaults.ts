/**
 * Owns the default ad set a simplified create makes, per platform and outcome: optimization
 * goal, billing event, bid, targeting, placements, schedule, and (Meta) the promoted object the
 * ad account's connection settings must provide. Every value marked Unconfirmed is a guess from
 * `shared/platforms.md` with no primary source: they all live here, to change in one place.
 */
import type { AdsetRecord } from "./adset-model";
import type { CampaignRecord } from "./campaign-model";
import type { Outcome, Platform } from "./platform-rules";

interface GoalDefaults {
  optimizationGoal: string;
  billingEvent: string;
  /** Meta `destination_type`, TikTok `promotion_type`; omitted when null. */
  destination: string | null;
}

/** Apple has one kind of ad group: CPC pricing on a campaign that bills taps. */
const APPLE_GOAL: GoalDefaults = { optimizationGoal: "TAPS", billingEvent: "CPC", destination: null };

export const ADSET_GOALS: Record<"meta" | "tiktok", Record<Outcome, GoalDefaults>> = {
  meta: {
    conversions: { optimizationGoal: "OFFSITE_CONVERSIONS", billingEvent: "IMPRESSIONS", destination: null },
    traffic: { optimizationGoal: "LINK_CLICKS", billingEvent: "IMPRESSIONS", destination: "WEBSITE" },
    app_installs: { optimizationGoal: "APP_INSTALLS", billingEvent: "IMPRESSIONS", destination: null },
    engagement: { optimizationGoal: "POST_ENGAGEMENT", billingEvent: "IMPRESSIONS", destination: null },
    lead_generation: {
      optimizationGoal: "LEAD_GENERATION",
      billingEvent: "IMPRESSIONS",
      destination: "ON_AD",
    },
  },
  tiktok: {
    conversions: { optimizationGoal: "CONVERT", billingEvent: "OCPM", destination: "WEBSITE" },
    traffic: { optimizationGoal: "CLICK", billingEvent: "CPC", destination: "WEBSITE" },
    // Unconfirmed: the app's platform decides APP_ANDROID vs APP_IOS.
    app_installs: { optimizationGoal: "INSTALL", billingEvent: "OCPM", destination: "APP_ANDROID" },
    // Unconfirmed: FOLLOWERS / OCPM, no promotion_type.
    engagement: { optimizationGoal: "FOLLOWERS", billingEvent: "OCPM", destination: null },
    // Unconfirmed: LEAD_GEN_INSTANT_FORM.
    lead_generation: {
      optimizationGoal: "LEAD_GENERATION",
      billingEvent: "OCPM",
      destination: "LEAD_GEN_INSTANT_FORM",
    },
  },
};

export function adsetGoal(platform: Platform, outcome: Outcome): GoalDefaults {
  return platform === "apple" ? APPLE_GOAL : ADSET_GOALS[platform][outcome];
}

/** Unconfirmed: Apple needs a `defaultBidAmount`; one currency unit until the customer sets one. */
export const APPLE_DEFAULT_BID_CENTS = 100;

/** Unconfirmed: Meta `targeting_automation.advantage_audience`; 0 keeps our ages hard limits. */
export const META_ADVANTAGE_AUDIENCE = 0;

/** TikTok `location_ids` for ISO countries (geonames ids, third party; Unconfirmed). */
export const TIKTOK_LOCATION_IDS: Record<string, string> = {
  US: "6252001",
  CA: "6251999",
  GB: "2635167",
  DE: "2921044",
  FR: "3017382",
  AU: "2077456",
};

/** TikTok's age buckets, lower bound to name. */
export const TIKTOK_AGE_GROUPS: [number, number, string][] = [
  [13, 17, "AGE_13_17"],
  [18, 24, "AGE_18_24"],
  [25, 34, "AGE_25_34"],
  [35, 44, "AGE_35_44"],
  [45, 54, "AGE_45_54"],
  [55, 100, "AGE_55_100"],
];

/**
 * Which Meta `promoted_object` fields a campaign of this outcome needs, read from the ad
 * account's `settings.promotedObject` (Meta's own field names).
 */
const META_PROMOTED_FIELDS: Partial<Record<Outcome, string[]>> = {
  conversions: ["pixel_id"],
  lead_generation: ["page_id"],
  app_installs: ["application_id", "object_store_url"],
};

/** Meta `custom_event_type` when the settings name none. */
const META_DEFAULT_EVENT: Partial<Record<Outcome, string>> = { conversions: "PURCHASE" };

export type PromotedObject =
  | { ok: true; value: Record<string, unknown> | null }
  | { ok: false; missing: string };

/** The ad set's promoted object from the account's settings, or the first setting that is missing. */
export function promotedObjectFor(
  platform: Platform,
  outcome: Outcome,
  settings: Record<string, unknown>,
): PromotedObject {
  const fields = platform === "meta" ? META_PROMOTED_FIELDS[outcome] : undefined;
  if (!fields) return { ok: true, value: null };
  const source = settings.promotedObject;
  const from = source !== null && typeof source === "object" ? (source as Record<string, unknown>) : {};
  const value: Record<string, unknown> = {};
  for (const field of fields) {
    const v = from[field];
    if ((typeof v !== "string" && typeof v !== "number") || v === "") {
      return { ok: false, missing: `promotedObject.${field}` };
    }
    value[field] = v;
  }
  const event =
    typeof from.custom_event_type === "string" ? from.custom_event_type : META_DEFAULT_EVENT[outcome];
  if (event) value.custom_event_type = event;
  return { ok: true, value };
}

/** The campaign's one default ad set: the campaign's targeting, bid and schedule, the outcome's goal. */
export function defaultAdset(
  campaign: CampaignRecord,
  adsetId: string,
  promotedObject: Record<string, unknown> | null,
): AdsetRecord {
  const goal = adsetGoal(campaign.platform, campaign.outcome);
  return {
    id: adsetId,
    campaignId: campaign.id,
    platform: campaign.platform,
    name: campaign.name,
    status: "pending",
    optimizationGoal: goal.optimizationGoal,
    billingEvent: goal.billingEvent,
    bidStrategy:
      campaign.platform === "apple"
        ? { defaultBidCents: APPLE_DEFAULT_BID_CENTS, ...campaign.bidStrategy }
        : { ...campaign.bidStrategy },
    // The simplified create puts the budget on the campaign.
    dailyBudgetCents: null,
    lifetimeBudgetCents: null,
    targeting: { ...campaign.targeting },
    schedule: { startTime: campaign.startTime, endTime: campaign.endTime },
    promotedObject,
    platformAdsetId: null,
    createdAt: campaign.createdAt,
    updatedAt: campaign.createdAt,
  };
}

/** Where the campaign's budget lives: with a campaign budget, ad sets carry none. */
export function budgetLevel(campaign: CampaignRecord): "campaign" | "adset" {
  return campaign.dailyBudgetCents !== null || campaign.lifetimeBudgetCents !== null ? "campaign" : "adset";
}

/**
 * The optimization goals an ad set create may name instead of its outcome's default, each with
 * the billing event it pairs with. Meta bills every goal here on IMPRESSIONS (goal × billing
 * matrix Unconfirmed); TikTok pairs per platforms.md (3rd party: Unconfirmed); Apple has one.
 */
export const OPTIMIZATION_GOALS: Record<Platform, Record<string, string>> = {
  meta: {
    OFFSITE_CONVERSIONS: "IMPRESSIONS",
    LINK_CLICKS: "IMPRESSIONS",
    LANDING_PAGE_VIEWS: "IMPRESSIONS",
    APP_INSTALLS: "IMPRESSIONS",
    POST_ENGAGEMENT: "IMPRESSIONS",
    LEAD_GENERATION: "IMPRESSIONS",
    REACH: "IMPRESSIONS",
    IMPRESSIONS: "IMPRESSIONS",
  },
  tiktok: {
    CLICK: "CPC",
    CONVERT: "OCPM",
    INSTALL: "OCPM",
    LEAD_GENERATION: "OCPM",
    FOLLOWERS: "OCPM",
    REACH: "CPM",
    SHOW: "CPM",
  },
  apple: { TAPS: "CPC" },
};
