/**
 * Owns how an ad's platform review is followed: bounded polling with backoff from the moment
 * its creative was submitted until the platform decides. Pure: the campaign object's alarm
 * does the lookups (`objects/campaign/reviews.ts`).
 */
import type { AdRecord } from "./ad-model";

/**
 * Seconds between lookups: quick at first (most reviews take minutes to hours), then every six
 * hours. Meta and TikTok publish no review SLA (platforms.md): the ladder is our choice.
 */
export const REVIEW_DELAYS_SECONDS = [60, 120, 300, 600, 1800, 3600] as const;
export const REVIEW_LATE_DELAY_SECONDS = 6 * 3600;
/** After this many lookups (about four and a half days) the object stops asking. */
export const REVIEW_MAX_CHECKS = 24;
/** The simulator decides at its first lookup, a few seconds after the push. */
export const SANDBOX_REVIEW_DELAY_SECONDS = 5;

/** When to look next after `checks` lookups, or null once the budget of lookups is spent. */
export function nextReviewDelaySeconds(checks: number, sandbox: boolean): number | null {
  if (checks >= REVIEW_MAX_CHECKS) return null;
  if (sandbox) return SANDBOX_REVIEW_DELAY_SECONDS;
  return REVIEW_DELAYS_SECONDS[checks] ?? REVIEW_LATE_DELAY_SECONDS;
}

/** The ad's creative (new or replaced) went to review now: start following it. */
export function submitForReview(ad: AdRecord, now: string): void {
  const delay = nextReviewDelaySeconds(0, ad.sandbox) ?? REVIEW_DELAYS_SECONDS[0];
  Object.assign(ad, {
    reviewStatus: "pending_review",
    platformReason: null,
    submittedAt: now,
    decidedAt: null,
    reviewChecks: 0,
    nextReviewAt: new Date(Date.parse(now) + delay * 1000).toISOString(),
  });
}

/** The review is due to be looked up at `now`. */
export function reviewDue(ad: AdRecord, now: number): boolean {
  return (
    ad.reviewStatus === "pending_review" &&
    ad.nextReviewAt !== null &&
    ad.status !== "deleted" &&
    Date.parse(ad.nextReviewAt) <= now
  );
}
