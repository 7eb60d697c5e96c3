import { toAppleAmount } from "../domain/money";
import {
  type AppleCall,
  appleCampaignChanges,
  isAppleAdgroupOperation,
  runAppleAdgroupOperation,
} from "./apple-adsets";
import { type AppleOAuthCredentials, type AppleTokenCache, isolateAppleTokenCache } from "./apple-auth";
import { appleKeywordCall } from "./apple-keywords";
import {
  authFailure,
  idField,
  isRecord,
  LOCAL_CODES,
  notConfigured,
  PlatformFailure,
  type PlatformFailureResult,
  type PlatformResponse,
  parseRetryAfter,
  rejectedFailure,
  sendPlatformRequest,
  settle,
  stringField,
  transientFailure,
} from "./http";
import type {
  AdAccountConnection,
  CampaignSpec,
  DispatchContext,
  PlatformAdapter,
  PlatformOperation,
  PlatformResult,
} from "./types";
import { isAdOperation } from "./types";

export interface AppleAdapterOptions {
  /** Including the version, e.g. "https://api.searchads.apple.com/api/v5". */
  apiBase: string;
  /** A ready access token (dev, short-lived); the OAuth credentials win when both are set. */
  accessToken: string | undefined;
  oauth: AppleOAuthCredentials | undefined;
  timeoutMs: number;
  tokenCache?: AppleTokenCache;
}

/** Apple asks for exponential backoff on 429 without always saying how long: 2, 4, 8, 16 s. */
export function appleBackoffHintMs(attempt: number): number {
  return 2 ** Math.min(Math.max(attempt, 1), 4) * 1000;
}

type RequestMethod = "GET" | "POST" | "PUT" | "DELETE";

export class AppleAdapter implements PlatformAdapter {
  private readonly tokenCache: AppleTokenCache;

  constructor(private readonly options: AppleAdapterOptions) {
    this.tokenCache = options.tokenCache ?? isolateAppleTokenCache;
  }

  execute(
    operation: PlatformOperation,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<PlatformResult> {
    if (this.options.oauth === undefined && !this.options.accessToken) {
      return Promise.resolve(notConfigured("Apple Search Ads", "the ad account's API user credentials"));
    }
    return settle(async () => {
      if (isAdOperation(operation)) {
        return rejectedFailure(
          "Apple Search Ads has no ads; its creative axis governs keywords.",
          LOCAL_CODES.invalidRequest,
        );
      }
      if (isAppleAdgroupOperation(operation)) {
        const call: AppleCall = (method, path, body, options) =>
          this.request(method, path, account, context, body, options);
        return runAppleAdgroupOperation(operation, account, context, call);
      }
      switch (operation.type) {
        case "create_campaign":
          return this.createCampaign(operation.campaign, account, context);
        case "update_campaign_schedule":
        case "update_bid_strategy":
          return this.updateCampaign(
            operation.platformCampaignId,
            account,
            context,
            appleCampaignChanges(operation, account),
          );
        case "add_keywords":
        case "update_keywords":
        case "delete_keywords":
          return appleKeywordCall(operation, account, context, (method, path, body) =>
            this.request(method, path, account, context, body),
          );
        case "update_budget": {
          if (operation.lifetimeBudgetCents !== undefined) {
            return rejectedFailure("Apple campaigns take daily budgets only", LOCAL_CODES.invalidRequest);
          }
          if (operation.dailyBudgetCents === undefined) {
            return rejectedFailure("A budget update needs a daily budget", LOCAL_CODES.invalidRequest);
          }
          return this.updateCampaign(operation.platformCampaignId, account, context, {
            dailyBudgetAmount: {
              amount: toAppleAmount(operation.dailyBudgetCents, account.currency),
              currency: account.currency,
            },
          });
        }
        case "pause_campaign":
          return this.updateCampaign(operation.platformCampaignId, account, context, { status: "PAUSED" });
        case "resume_campaign":
          return this.updateCampaign(operation.platformCampaignId, account, context, { status: "ENABLED" });
        case "delete_campaign":
          await this.request(
            "DELETE",
            `/campaigns/${encodeURIComponent(operation.platformCampaignId)}`,
            account,
            context,
            undefined,
            // A retried delete that finds nothing: the earlier attempt already deleted it.
            { allowNotFound: context.attempt > 1 },
          );
          return { ok: true, platformCampaignId: operation.platformCampaignId };
      }
    });
  }

  private async createCampaign(
    campaign: CampaignSpec,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<PlatformResult> {
    const body = buildCreateBody(campaign, account);

    // Apple has no idempotency key, but campaign names are unique within an org: a retried
    // create first looks for the campaign the earlier attempt may have created under this name.
    if (context.attempt > 1) {
      const existingId = await this.findCampaignByName(body.name, body.adamId, account, context);
      if (existingId !== undefined) return { ok: true, platformCampaignId: existingId };
    }
    const response = await this.request("POST", "/campaigns", account, context, body);
    const id = idField(isRecord(response.body) ? response.body.data : undefined, "id");
    if (id === undefined) {
      throw new PlatformFailure(transientFailure("Apple accepted the create but returned no campaign id"));
    }
    return { ok: true, platformCampaignId: id };
  }

  private async findCampaignByName(
    name: string,
    adamId: number,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<string | undefined> {
    const response = await this.request("POST", "/campaigns/find", account, context, {
      conditions: [{ field: "name", operator: "EQUALS", values: [name] }],
      pagination: { offset: 0, limit: 10 },
    });
    const campaigns = isRecord(response.body) ? response.body.data : undefined;
    if (!Array.isArray(campaigns)) return undefined;
    const match = campaigns.find(
      (candidate) =>
        stringField(candidate, "name") === name && isRecord(candidate) && Number(candidate.adamId) === adamId,
    );
    return match === undefined ? undefined : idField(match, "id");
  }

  private async updateCampaign(
    platformCampaignId: string,
    account: AdAccountConnection,
    context: DispatchContext,
    changes: Record<string, unknown>,
  ): Promise<PlatformResult> {
    await this.request("PUT", `/campaigns/${encodeURIComponent(platformCampaignId)}`, account, context, {
      campaign: changes,
    });
    return { ok: true, platformCampaignId };
  }

  private async request(
    method: RequestMethod,
    path: string,
    account: AdAccountConnection,
    context: DispatchContext,
    body?: unknown,
    { allowNotFound = false }: { allowNotFound?: boolean } = {},
  ): Promise<PlatformResponse> {
    const url = `${this.options.apiBase.replace(/\/+$/, "")}${path}`;
    const send = async (): Promise<PlatformResponse> => {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${await this.accessToken()}`,
        "X-AP-Context": `orgId=${account.externalId}`,
      };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const init: RequestInit = { method, headers };
      if (body !== undefined) init.body = JSON.stringify(body);
      return sendPlatformRequest("Apple Search Ads", url, init, this.options.timeoutMs);
    };

    let response = await send();
    if (response.status === 401 && this.options.oauth !== undefined) {
      // The cached token may have been revoked or expired early: renew it once and resend.
      this.tokenCache.invalidate(this.options.oauth);
      response = await send();
    }
    if (response.status >= 200 && response.status < 300) return response;
    if (allowNotFound && response.status === 404) return response;
    throw new PlatformFailure(classifyAppleError(response, context.attempt));
  }

  private async accessToken(): Promise<string> {
    if (this.options.oauth !== undefined) {
      return this.tokenCache.accessToken(this.options.oauth, this.options.timeoutMs);
    }
    return this.options.accessToken ?? "";
  }
}

interface AppleCreateBody {
  orgId: number | string;
  name: string;
  adamId: number;
  countriesOrRegions: string[];
  dailyBudgetAmount: { amount: string; currency: string };
  adChannelType: string;
  supplySources: string[];
  billingEvent: string;
  status: "ENABLED";
  biddingStrategy?: string;
  targetCpa?: { amount: string; currency: string };
  startTime?: string;
  endTime?: string;
}

/** The create request, or a PlatformFailure when the campaign cannot be an Apple campaign. */
function buildCreateBody(campaign: CampaignSpec, account: AdAccountConnection): AppleCreateBody {
  const adamId = Number(account.settings.adamId);
  if (!Number.isSafeInteger(adamId) || adamId <= 0) {
    throw new PlatformFailure(
      notConfigured("Apple Search Ads", "the ad account's adamId (the App Store app id)"),
    );
  }
  if (campaign.lifetimeBudgetCents !== null) {
    throw new PlatformFailure(
      rejectedFailure("Apple campaigns take daily budgets only", LOCAL_CODES.invalidRequest),
    );
  }
  if (campaign.dailyBudgetCents === null) {
    throw new PlatformFailure(
      rejectedFailure("Apple campaigns need a daily budget", LOCAL_CODES.invalidRequest),
    );
  }
  const countries =
    stringList(campaign.targeting.countries) ?? stringList(account.settings.countriesOrRegions);
  if (countries === undefined) {
    throw new PlatformFailure(
      rejectedFailure("Apple campaigns need at least one country or region", LOCAL_CODES.invalidRequest),
    );
  }

  const settings = campaign.platformSettings;
  const body: AppleCreateBody = {
    orgId: /^\d+$/.test(account.externalId) ? Number(account.externalId) : account.externalId,
    name: campaign.name,
    adamId,
    countriesOrRegions: countries,
    dailyBudgetAmount: {
      amount: toAppleAmount(campaign.dailyBudgetCents, account.currency),
      currency: account.currency,
    },
    adChannelType: typeof settings.adChannelType === "string" ? settings.adChannelType : "SEARCH",
    supplySources: stringList(settings.supplySources) ?? ["APPSTORE_SEARCH_RESULTS"],
    billingEvent: typeof settings.billingEvent === "string" ? settings.billingEvent : "TAPS",
    status: "ENABLED",
  };
  const strategy = campaign.bidStrategy.type;
  if (typeof strategy === "string" && strategy !== "MANUAL_CPT") {
    body.biddingStrategy = strategy;
    const targetCpaCents = campaign.bidStrategy.targetCpaCents;
    if (typeof targetCpaCents === "number") {
      body.targetCpa = {
        amount: toAppleAmount(targetCpaCents, account.currency),
        currency: account.currency,
      };
    }
  }
  if (campaign.startTime !== null) body.startTime = toAppleDateTime(campaign.startTime);
  if (campaign.endTime !== null) body.endTime = toAppleDateTime(campaign.endTime);
  return body;
}

/** Apple's campaign times are UTC without a zone designator: "2026-01-05T00:00:00.000". */
function toAppleDateTime(isoUtc: string): string {
  const date = new Date(isoUtc);
  if (Number.isNaN(date.getTime())) {
    throw new PlatformFailure(rejectedFailure(`Invalid time "${isoUtc}"`, LOCAL_CODES.invalidRequest));
  }
  return date.toISOString().slice(0, -1);
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((item) => typeof item === "string") ? (value as string[]) : undefined;
}

export function classifyAppleError(response: PlatformResponse, attempt: number): PlatformFailureResult {
  const error = isRecord(response.body) ? response.body.error : undefined;
  const errors = isRecord(error) && Array.isArray(error.errors) ? error.errors : [];
  const first: unknown = errors[0];
  const messageCode = stringField(first, "messageCode");
  const field = stringField(first, "field");
  const detail = stringField(first, "message");
  const message = detail
    ? `Apple Search Ads: ${detail}${field ? ` (${field})` : ""}`
    : `Apple Search Ads answered HTTP ${response.status}`;

  if (response.status === 429) {
    return transientFailure(message, {
      platformCode: messageCode ?? "429",
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) ?? appleBackoffHintMs(attempt),
    });
  }
  if (response.status >= 500)
    return transientFailure(message, { platformCode: messageCode ?? String(response.status) });
  // A 401 that survived a freshly minted token: the API user or its key is gone (Unconfirmed).
  if (response.status === 401) return authFailure(message, "revoked", messageCode ?? "401");
  return rejectedFailure(message, messageCode ?? `HTTP_${response.status}`);
}
