/** The review vocabulary per platform and the polling ladder: pure functions. */
import { describe, expect, it } from "vitest";
import { nextReviewDelaySeconds, REVIEW_MAX_CHECKS } from "../../src/domain/ad-review";
import { metaReview } from "../../src/platforms/meta-ads";
import { tiktokReview } from "../../src/platforms/tiktok-ads";

describe("review status mapping", () => {
  it("Meta: effective_status to our review status, the feedback as the reason", () => {
    for (const s of ["PENDING_REVIEW", "IN_PROCESS", "PREAPPROVED"]) {
      expect(metaReview({ effective_status: s })).toEqual({ status: "pending_review", reason: null });
    }
    for (const s of ["ACTIVE", "PAUSED", "ADSET_PAUSED", "CAMPAIGN_PAUSED", "WITH_ISSUES"]) {
      expect(metaReview({ effective_status: s }).status).toBe("approved");
    }
    expect(
      metaReview({
        effective_status: "DISAPPROVED",
        ad_review_feedback: { global: { A: "One.", B: "Two." } },
      }),
    ).toEqual({ status: "disapproved", reason: "One. Two." });
    expect(metaReview({ effective_status: "DISAPPROVED" }).reason).toMatch(/Meta/);
  });

  it("TikTok: secondary_status to our review status", () => {
    expect(tiktokReview({ secondary_status: "AD_STATUS_AUDIT" }).status).toBe("pending_review");
    expect(tiktokReview({ secondary_status: "AD_STATUS_DELIVERY_OK" }).status).toBe("approved");
    expect(tiktokReview({ secondary_status: "AD_STATUS_NOT_APPROVED" })).toEqual({
      status: "disapproved",
      reason: "Not approved by TikTok's ad review (AD_STATUS_NOT_APPROVED).",
    });
    expect(tiktokReview(undefined).status).toBe("pending_review");
  });
});

describe("review polling ladder", () => {
  it("backs off, then stops after the budget of lookups", () => {
    const ladder = Array.from({ length: 8 }, (_, i) => nextReviewDelaySeconds(i, false));
    expect(ladder).toEqual([60, 120, 300, 600, 1800, 3600, 21600, 21600]);
    expect(nextReviewDelaySeconds(REVIEW_MAX_CHECKS, false)).toBeNull();
    expect(nextReviewDelaySeconds(0, true)).toBe(5);
  });
});
