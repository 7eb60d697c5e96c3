/**
 * Owns the Apple targeting keyword (the creative-axis object of an Apple ad group): its record
 * in the campaign's tree, the values of the three bulk writes, the per-keyword results a job
 * reports, and Apple's limits checked before a keyword write is judged.
 */

export type KeywordMatchType = "exact" | "broad";
export type KeywordStatus = "active" | "paused" | "deleted";

/** A keyword the platform confirmed. Failed items of a bulk add leave no record, only a job result. */
export interface KeywordRecord {
  id: string;
  campaignId: string;
  adsetId: string;
  text: string;
  matchType: KeywordMatchType;
  /** Null: the ad group's default bid. */
  bidAmountCents: number | null;
  status: KeywordStatus;
  platformKeywordId: string;
  createdAt: string;
  updatedAt: string;
}

/** One keyword of a bulk add, its id minted when the request was accepted. */
export interface KeywordAddItem {
  keywordId: string;
  text: string;
  matchType: KeywordMatchType;
  bidAmountCents: number | null;
  status: "active" | "paused";
}

export interface KeywordUpdateItem {
  keywordId: string;
  bidAmountCents?: number;
  status?: "active" | "paused";
}

export interface KeywordDeleteItem {
  keywordId: string;
}

export type KeywordAddValue = { keywords: KeywordAddItem[] };
export type KeywordUpdateValue = { keywords: KeywordUpdateItem[] };
export type KeywordDeleteValue = { keywords: KeywordDeleteItem[] };

/** What the platform answered for one item of a bulk call. */
export interface PlatformKeywordOutcome {
  keywordId: string;
  ok: boolean;
  platformKeywordId?: string;
  error?: { message: string; platformCode?: string };
}

/** One item of a keyword job's `result.keywords`. */
export interface KeywordJobResult {
  keywordId: string;
  platformKeywordId?: string;
  status: "created" | "updated" | "deleted" | "failed";
  error?: { code: "PLATFORM_REJECTED"; message: string; platformCode?: string };
}

/**
 * Apple's keyword limits. From the API docs: ≤ 5000 targeting + negative keywords per ad
 * group, case ignored. Unconfirmed (no primary source; configurable here): text ≤ 80
 * characters and ≤ 10 words, bids 0.01–1000.00 in the account currency and at most the
 * campaign's daily budget. The request side caps one call at 200 items (Apple takes 1000).
 */
export const APPLE_KEYWORD_LIMITS = {
  maxPerRequest: 200,
  maxPerAdgroup: 5000,
  maxTextLength: 80,
  maxWords: 10,
  minBidCents: 1,
  maxBidCents: 100_000,
  bidAtMostDailyBudget: true,
};

/** Apple ignores case; we also fold runs of whitespace, so "Run  App" duplicates "run app". */
export function keywordKey(text: string, matchType: string): string {
  return `${matchType}:${text.trim().replace(/\s+/g, " ").toLowerCase()}`;
}

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).filter(Boolean).length;
}
