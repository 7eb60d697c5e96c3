/**
 * Owns the ad set record (TikTok and Apple: ad group): the level below the campaign where
 * targeting, placements, optimization and (without a campaign budget) the budget live. The
 * campaign's Durable Object holds these as part of its tree; D1 holds copies.
 */
import type { Platform } from "./platform-rules";

/** `rejected`: a queued create the customer rejected (or that expired unapproved). */
export type AdsetStatus = "pending" | "active" | "paused" | "deleted" | "failed" | "rejected";

/** One weekly window the ad set runs in: minutes from the day's 00:00, `dayOfWeek` 0 = Sunday. */
export interface Daypart {
  dayOfWeek: number;
  startMinute: number;
  endMinute: number;
}

export interface AdsetSchedule {
  startTime: string | null;
  endTime: string | null;
  /** Absent or empty: all day, every day. */
  dayparts?: Daypart[];
}

export interface AdsetRecord {
  id: string;
  campaignId: string;
  platform: Platform;
  name: string;
  status: AdsetStatus;
  optimizationGoal: string;
  billingEvent: string;
  bidStrategy: Record<string, unknown>;
  /** Null while the budget lives on the campaign (`budgetLevel: "campaign"`). */
  dailyBudgetCents: number | null;
  lifetimeBudgetCents: number | null;
  /** `countries`, `ageMin`, `ageMax`, `genders`, `placements`: the campaign read's vocabulary. */
  targeting: Record<string, unknown>;
  schedule: AdsetSchedule;
  /** What the platform needs to know what the ad set promotes (Meta `promoted_object`), or null. */
  promotedObject: Record<string, unknown> | null;
  platformAdsetId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An ad set as the adapters see it. */
export type AdsetSpec = Pick<
  AdsetRecord,
  | "name"
  | "optimizationGoal"
  | "billingEvent"
  | "bidStrategy"
  | "dailyBudgetCents"
  | "lifetimeBudgetCents"
  | "targeting"
  | "schedule"
  | "promotedObject"
> & { adsetId: string };

export function adsetSpec(a: AdsetRecord): AdsetSpec {
  return {
    adsetId: a.id,
    name: a.name,
    optimizationGoal: a.optimizationGoal,
    billingEvent: a.billingEvent,
    bidStrategy: a.bidStrategy,
    dailyBudgetCents: a.dailyBudgetCents,
    lifetimeBudgetCents: a.lifetimeBudgetCents,
    targeting: a.targeting,
    schedule: a.schedule,
    promotedObject: a.promotedObject,
  };
}
