import { amountIssue } from "../domain/money";
import type { Platform } from "../domain/platform-rules";
import { LOCAL_CODES, rejectedFailure, sha256, transientFailure } from "./http";
import { sandboxKeywordCall } from "./sandbox-keywords";
import type {
  AdAccountConnection,
  AdOperation,
  DispatchContext,
  PlatformAdapter,
  PlatformOperation,
  PlatformResult,
} from "./types";
import { isAdOperation } from "./types";

/**
 * The built-in platform simulator (SPEC §6) for sandbox connections and test keys. Everything
 * it answers is a function of (platform, operation, campaign name, idempotency key, attempt):
 * no state, so a redelivered job gets the same campaign id it got the first time.
 */

export const SANDBOX_MAX_DELAY_MS = 30_000;
export const SANDBOX_THROTTLE_RETRY_AFTER_MS = 1_000;

export interface SandboxMarkers {
  /** Attempts 1..failAttempts answer 503. */
  failAttempts: number;
  /** `[sandbox:adset_fail=N]`: an ad set create answers 503 up to attempt N (the campaign's is unaffected). */
  adsetFailAttempts: number;
  reject: boolean;
  throttle: boolean;
  delayMs: number;
}

export function parseSandboxMarkers(campaignName: string): SandboxMarkers {
  const fail = /\[sandbox:fail=(\d+)\]/i.exec(campaignName);
  const adsetFail = /\[sandbox:adset_fail=(\d+)\]/i.exec(campaignName);
  const slow = /\[sandbox:slow=(\d+)\]/i.exec(campaignName);
  return {
    failAttempts: fail?.[1] === undefined ? 0 : Number(fail[1]),
    adsetFailAttempts: adsetFail?.[1] === undefined ? 0 : Number(adsetFail[1]),
    reject: /\[sandbox:reject\]/i.test(campaignName),
    throttle: /\[sandbox:throttle\]/i.test(campaignName),
    delayMs: slow?.[1] === undefined ? 0 : Math.min(Number(slow[1]), SANDBOX_MAX_DELAY_MS),
  };
}

/** How each platform's campaign ids look: Meta 18 digits ("120…"), TikTok 19 ("18…"), Apple 10. */
const ID_SHAPES: Record<Platform, { prefix: string; length: number }> = {
  meta: { prefix: "120", length: 18 },
  tiktok: { prefix: "18", length: 19 },
  apple: { prefix: "1", length: 10 },
};

export async function sandboxCampaignId(platform: Platform, idempotencyKey: string): Promise<string> {
  const { prefix, length } = ID_SHAPES[platform];
  const digest = await sha256(`sandbox:${platform}:${idempotencyKey}`);
  let value = 0n;
  for (const byte of digest.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
  const digits = length - prefix.length;
  return prefix + (value % 10n ** BigInt(digits)).toString().padStart(digits, "0");
}

/** What each platform answers when it refuses a request (its invalid-parameter error). */
const REFUSALS: Record<Platform, { platformCode: string; message: string }> = {
  meta: { platformCode: "100", message: "(#100) Invalid parameter" },
  tiktok: { platformCode: "40002", message: "Invalid parameters" },
  apple: { platformCode: "INVALID_INPUT", message: "Apple Search Ads: invalid input" },
};

const THROTTLES: Record<Platform, { platformCode: string; message: string }> = {
  meta: { platformCode: "80004", message: "There have been too many calls to this ad-account." },
  tiktok: { platformCode: "40100", message: "Too many requests" },
  apple: { platformCode: "429", message: "Apple Search Ads: rate limit exceeded" },
};

export interface SandboxAdapterOptions {
  sleep?: (ms: number) => Promise<void>;
}

export class SandboxAdapter implements PlatformAdapter {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: SandboxAdapterOptions = {}) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async execute(
    operation: PlatformOperation,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<PlatformResult> {
    const platform = account.platform;
    // An ad set create's markers are its own name's; other ad set writes take the campaign's and the ad set's.
    const markers = parseSandboxMarkers(
      operation.type === "create_adset"
        ? operation.adset.name
        : "adset" in operation
          ? `${operation.campaign.name} ${operation.adset.name}`
          : operation.campaign.name,
    );
    if (markers.delayMs > 0) await this.sleep(markers.delayMs);

    if (markers.reject) {
      const refusal = REFUSALS[platform];
      return rejectedFailure(`${refusal.message} [sandbox:reject]`, refusal.platformCode);
    }
    if (context.attempt <= markers.failAttempts) {
      return transientFailure(
        `Service Unavailable (sandbox attempt ${context.attempt} of ${markers.failAttempts} failing)`,
        { platformCode: "503" },
      );
    }
    if (operation.type === "create_adset" && context.attempt <= markers.adsetFailAttempts) {
      return transientFailure(`Service Unavailable (sandbox ad set attempt ${context.attempt} failing)`, {
        platformCode: "503",
      });
    }
    if (markers.throttle && context.attempt === 1) {
      const throttle = THROTTLES[platform];
      return transientFailure(`${throttle.message} [sandbox:throttle]`, {
        platformCode: throttle.platformCode,
        retryAfterMs: SANDBOX_THROTTLE_RETRY_AFTER_MS,
      });
    }

    const invalidAmount = budgetIssue(operation, account);
    if (invalidAmount !== null) return rejectedFailure(invalidAmount, LOCAL_CODES.invalidAmount);

    if (
      operation.type === "add_keywords" ||
      operation.type === "update_keywords" ||
      operation.type === "delete_keywords"
    ) {
      return sandboxKeywordCall(operation, context);
    }
    if (operation.type === "create_adset") {
      return {
        ok: true,
        platformCampaignId: operation.platformCampaignId,
        platformAdsetId: await sandboxCampaignId(
          platform,
          `${context.idempotencyKey}:${operation.adset.adsetId}`,
        ),
      };
    }
    if (operation.type === "create_campaign") {
      return { ok: true, platformCampaignId: await sandboxCampaignId(platform, context.idempotencyKey) };
    }
    if (isAdOperation(operation)) return sandboxAd(operation, platform, context);
    return { ok: true, platformCampaignId: operation.platformCampaignId };
  }
}

/**
 * Ads (Meta, TikTok): deterministic ad and creative ids; every review settles at its first
 * lookup, `approved`, or `disapproved` when the creative's name carries `[sandbox:disapprove]`.
 */
async function sandboxAd(
  operation: AdOperation,
  platform: Platform,
  context: DispatchContext,
): Promise<PlatformResult> {
  const base = { ok: true as const, platformCampaignId: operation.platformCampaignId };
  if (platform === "apple") {
    return rejectedFailure("Apple Search Ads has no ads [sandbox]", LOCAL_CODES.invalidRequest);
  }
  switch (operation.type) {
    case "create_ad":
      return {
        ...base,
        platformAdId: await sandboxCampaignId(platform, `${context.idempotencyKey}:ad`),
        platformCreativeId: await sandboxCampaignId(platform, `${context.idempotencyKey}:creative`),
      };
    case "replace_ad_creative":
      return {
        ...base,
        platformAdId: operation.platformAdId,
        platformCreativeId: await sandboxCampaignId(platform, `${context.idempotencyKey}:creative`),
      };
    case "get_ad_review": {
      const disapprove = /\[sandbox:disapprove\]/i.test(operation.ad.creative.name);
      return {
        ...base,
        platformAdId: operation.platformAdId,
        review: disapprove
          ? { status: "disapproved", reason: SANDBOX_DISAPPROVAL[platform] }
          : { status: "approved", reason: null },
      };
    }
    default:
      return { ...base, platformAdId: operation.platformAdId };
  }
}

const SANDBOX_DISAPPROVAL: Record<Platform, string> = {
  meta: "Your ad wasn't approved because it doesn't follow our Advertising Standards [sandbox:disapprove]",
  tiktok: "Ad not approved: the creative violates the advertising policies [sandbox:disapprove]",
  apple: "",
};

/** The live adapters refuse amounts the platform's unit cannot carry; the simulator agrees with them. */
function budgetIssue(operation: PlatformOperation, account: AdAccountConnection): string | null {
  const amounts =
    operation.type === "create_campaign"
      ? [operation.campaign.dailyBudgetCents, operation.campaign.lifetimeBudgetCents]
      : operation.type === "update_budget" || operation.type === "update_adset_budget"
        ? [operation.dailyBudgetCents, operation.lifetimeBudgetCents]
        : operation.type === "add_keywords" || operation.type === "update_keywords"
          ? operation.keywords.map((k) => k.bidAmountCents)
          : operation.type === "create_adset"
            ? [operation.adset.dailyBudgetCents, operation.adset.lifetimeBudgetCents]
            : [];
  for (const cents of amounts) {
    if (cents === null || cents === undefined) continue;
    const issue = amountIssue(account.platform, cents, account.currency);
    if (issue !== null) return issue;
  }
  return null;
}
