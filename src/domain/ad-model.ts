/**
 * Owns the ad record: the level below the ad set where a creative meets an audience, and its
 * platform review. The campaign's Durable Object holds these as part of its tree (`ad:<id>`);
 * D1 holds copies for lists. Apple has no ads (its creative-axis object is the keyword).
 */
import type { CallToAction, CreativeFormat } from "./creative-rules";
import type { Platform } from "./platform-rules";

/** `pruned`: its creative was taken out of rotation (archived on Meta, disabled on TikTok). */
export type AdStatus = "active" | "paused" | "pruned" | "deleted";
export const AD_STATUSES = ["active", "paused", "pruned", "deleted"] as const;

export type ReviewStatus = "pending_review" | "approved" | "disapproved";
export const REVIEW_STATUSES = ["pending_review", "approved", "disapproved"] as const;

/** The library creative as it was when pushed (creatives are immutable; this is its copy). */
export interface CreativeSnapshot {
  creativeId: string;
  name: string;
  format: CreativeFormat;
  mediaUrl: string;
  thumbnailUrl: string | null;
  primaryText: string;
  headline: string | null;
  description: string | null;
  callToAction: CallToAction;
  linkUrl: string;
}

export interface AdRecord {
  id: string;
  campaignId: string;
  adsetId: string;
  platform: Platform;
  name: string;
  status: AdStatus;
  creative: CreativeSnapshot;
  platformAdId: string;
  /** The platform's own creative object (Meta ad creative id; TikTok: the video id). */
  platformCreativeId: string | null;
  reviewStatus: ReviewStatus;
  platformReason: string | null;
  /** When the current creative went to review, and when the platform decided. */
  submittedAt: string;
  decidedAt: string | null;
  /** How many times the review was looked up since `submittedAt`; the next look, or null. */
  reviewChecks: number;
  nextReviewAt: string | null;
  /** Created through a test key: its review is looked up in the simulator. */
  sandbox: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a replace asks for: the ad and the creative it is to show. */
export interface CreativeValue {
  adId: string;
  creativeId: string;
  creative: CreativeSnapshot;
  [key: string]: unknown;
}

/** What a push asks for: the new ad (its id minted by the route), its name and creative. */
export interface AdValue extends CreativeValue {
  name: string;
}

/** An ad as the adapters see it. */
export interface AdSpec {
  adId: string;
  name: string;
  creative: CreativeSnapshot;
}

/** Serving: it can deliver (not pruned or deleted, not refused by review). */
export function isServing(ad: AdRecord): boolean {
  return (ad.status === "active" || ad.status === "paused") && ad.reviewStatus !== "disapproved";
}
