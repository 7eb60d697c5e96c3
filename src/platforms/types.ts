import type { AdSpec, ReviewStatus } from "../domain/ad-model";
import type { AdsetSchedule, AdsetSpec } from "../domain/adset-model";
import type { CampaignRecord } from "../domain/campaign-model";
import type { KeywordAddItem, KeywordUpdateItem, PlatformKeywordOutcome } from "../domain/keyword-model";
import type { Platform } from "../domain/platform-rules";

/** A campaign as the adapters see it: our own units (cents), our own vocabulary, defaults applied. */
export type CampaignSpec = { campaignId: string } & Pick<
  CampaignRecord,
  | "name"
  | "outcome"
  | "dailyBudgetCents"
  | "lifetimeBudgetCents"
  | "startTime"
  | "endTime"
  | "bidStrategy"
  | "targeting"
  | "platformSettings"
>;

/** The ad account connection the adapter talks through. */
export interface AdAccountConnection {
  adAccountId: string;
  platform: Platform;
  /** The platform's own id: Meta ad account number (without `act_`), TikTok advertiser id, Apple orgId. */
  externalId: string;
  /** ISO 4217 currency of the account. */
  currency: string;
  /** `sandbox` connections dispatch to the built-in simulator. */
  connection: "sandbox" | "live";
  /** Per-connection settings, e.g. Apple `adamId`, default `countriesOrRegions`; Meta `promotedObject`. */
  settings: Record<string, unknown>;
}

export type PlatformOperation =
  | { type: "create_campaign"; campaign: CampaignSpec }
  | { type: "create_adset"; campaign: CampaignSpec; platformCampaignId: string; adset: AdsetSpec }
  | {
      type: "update_budget";
      campaign: CampaignSpec;
      platformCampaignId: string;
      dailyBudgetCents?: number;
      lifetimeBudgetCents?: number;
    }
  | {
      type: "update_adset_targeting";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
      adset: AdsetSpec;
      /** The whole targeting after the write (platforms replace it). */
      targeting: Record<string, unknown>;
    }
  | {
      type: "update_adset_budget";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
      dailyBudgetCents?: number;
      lifetimeBudgetCents?: number;
    }
  | {
      type: "update_adset_schedule";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
      /** The ad set after the write (its targeting: Apple sends dayparts among its dimensions). */
      adset: AdsetSpec;
      /** The whole schedule after the write. */
      schedule: AdsetSchedule;
    }
  | {
      /** The campaign's flight dates; TikTok has none of its own, so it sets its ad groups'. */
      type: "update_campaign_schedule";
      campaign: CampaignSpec;
      platformCampaignId: string;
      startTime: string | null;
      endTime: string | null;
      adsets: { platformAdsetId: string; schedule: AdsetSchedule }[];
    }
  | {
      /** Where the bid strategy lives is the adapter's business: the campaign, or each ad set. */
      type: "update_bid_strategy";
      campaign: CampaignSpec;
      platformCampaignId: string;
      bidStrategy: Record<string, unknown>;
      budgetLevel: "campaign" | "adset";
      adsets: { platformAdsetId: string; billingEvent: string }[];
    }
  | {
      type: "pause_adset" | "resume_adset" | "delete_adset";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
    }
  | KeywordOperation
  | AdOperation
  | { type: "pause_campaign"; campaign: CampaignSpec; platformCampaignId: string }
  | { type: "resume_campaign"; campaign: CampaignSpec; platformCampaignId: string }
  | { type: "delete_campaign"; campaign: CampaignSpec; platformCampaignId: string };

/** Apple's bulk keyword calls on one ad group; each item carries our keyword id. */
export type KeywordOperation = {
  campaign: CampaignSpec;
  platformCampaignId: string;
  platformAdsetId: string;
} & (
  | { type: "add_keywords"; keywords: KeywordAddItem[] }
  | {
      type: "update_keywords";
      keywords: (KeywordUpdateItem & { platformKeywordId: string })[];
    }
  | { type: "delete_keywords"; keywords: { keywordId: string; platformKeywordId: string }[] }
);
/** Operations on ads (Meta, TikTok): `platforms/meta-ads.ts`, `platforms/tiktok-ads.ts`. */
export type AdOperation =
  | {
      /** Upload the media, create the platform creative and the ad. */
      type: "create_ad";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
      ad: AdSpec;
    }
  | {
      /** Upload the new media, create the new creative, point the ad at it (a new review). */
      type: "replace_ad_creative";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
      platformAdId: string;
      ad: AdSpec;
    }
  | {
      type: "pause_ad" | "resume_ad" | "delete_ad" | "prune_ad";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdsetId: string;
      platformAdId: string;
    }
  | {
      /** Read the ad's review (not a write: the campaign object's alarm asks). */
      type: "get_ad_review";
      campaign: CampaignSpec;
      platformCampaignId: string;
      platformAdId: string;
      ad: AdSpec;
    };

export const AD_OPERATION_TYPES: ReadonlySet<string> = new Set([
  "create_ad",
  "replace_ad_creative",
  "pause_ad",
  "resume_ad",
  "delete_ad",
  "prune_ad",
  "get_ad_review",
]);

export function isAdOperation(operation: PlatformOperation): operation is AdOperation {
  return AD_OPERATION_TYPES.has(operation.type);
}

export interface AdReview {
  status: ReviewStatus;
  /** The platform's reason for a refusal, in its words. */
  reason: string | null;
}

export type PlatformResult =
  | {
      ok: true;
      platformCampaignId: string;
      platformAdsetId?: string;
      /** A bulk keyword call answers per item: some may fail while the call succeeds. */
      keywords?: PlatformKeywordOutcome[];
      platformAdId?: string;
      platformCreativeId?: string;
      review?: AdReview;
    }
  | {
      ok: false;
      /**
       * transient: retry later (5xx, throttling, timeouts); rejected: the platform refused (4xx),
       * do not retry; auth: the connection's credentials no longer work (reconnect).
       */
      kind: "transient" | "rejected" | "auth";
      /** For `auth`: whether the grant merely lapsed (`expired`) or was taken back (`revoked`). */
      tokenStatus?: "expired" | "revoked";
      message: string;
      /** The platform's own error code as a string, when it gave one. */
      platformCode?: string;
      /** The platform's retry hint, in milliseconds, when it gave one. */
      retryAfterMs?: number;
    };

export interface DispatchContext {
  /** Stable per job: the same job always sends the same key, so a redelivery never creates twice. */
  idempotencyKey: string;
  /** 1-based attempt number of this job. */
  attempt: number;
}

export interface PlatformAdapter {
  execute(
    operation: PlatformOperation,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<PlatformResult>;
}

/** A connected ad account's own credentials, opened from the vault just before a platform call. */
export type PlatformCredential =
  | { kind: "oauth_token"; accessToken: string; expiresAt: string | null }
  | { kind: "apple_api_user"; clientId: string; teamId: string; keyId: string; privateKeyPem: string };
