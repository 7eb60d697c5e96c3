import { toMetaAmount } from "../domain/money";
import type { Outcome } from "../domain/platform-rules";
import {
  authFailure,
  idField,
  isRecord,
  LOCAL_CODES,
  notConfigured,
  PlatformFailure,
  type PlatformFailureResult,
  type PlatformResponse,
  rejectedFailure,
  sendPlatformRequest,
  settle,
  sha256,
  stringField,
  toHex,
  transientFailure,
} from "./http";
import { executeMetaAd, type MetaGraph as MetaAdGraph } from "./meta-ads";
import { isMetaAdsetOperation, type MetaGraph, runMetaAdsetOperation } from "./meta-adsets";
import type {
  AdAccountConnection,
  CampaignSpec,
  DispatchContext,
  PlatformAdapter,
  PlatformOperation,
  PlatformResult,
} from "./types";
import { isAdOperation } from "./types";

export interface MetaAdapterOptions {
  apiBase: string;
  /** Graph API version, e.g. "v25.0". */
  apiVersion: string;
  accessToken: string | undefined;
  timeoutMs: number;
}

const META_OBJECTIVES: Record<Outcome, string> = {
  conversions: "OUTCOME_SALES",
  traffic: "OUTCOME_TRAFFIC",
  app_installs: "OUTCOME_APP_PROMOTION",
  engagement: "OUTCOME_ENGAGEMENT",
  lead_generation: "OUTCOME_LEADS",
};

const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 17, 32, 341, 613]);
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2]);
/** 190 (and the older 102): the token is expired, revoked or invalid; the subcode says which. */
const AUTH_CODES: ReadonlySet<number> = new Set([102, 190]);
/** Subcodes where the user took the grant back (458 app removed, 460 password changed, 467 logged out). */
const REVOKED_SUBCODES: ReadonlySet<number> = new Set([458, 460, 467]);

function isThrottlingCode(code: number): boolean {
  return THROTTLING_CODES.has(code) || (code >= 80000 && code <= 80014);
}

/**
 * Meta has no idempotency key on create, so every campaign we create carries a tag derived from
 * the job's idempotency key at the end of its name, e.g. "Spring sale [lp:3f9a0c12d4e7]". A
 * retried create (attempt > 1: the previous attempt may have landed before its answer was lost)
 * first lists the account's campaigns whose name contains the tag and adopts the match instead
 * of creating a second one. The name is the one free-text field Meta echoes back and can filter
 * on; 48 bits of SHA-256 make an accidental match within one ad account negligible.
 */
export async function metaIdempotencyTag(idempotencyKey: string): Promise<string> {
  const digest = await sha256(`meta-campaign:${idempotencyKey}`);
  return `[lp:${toHex(digest).slice(0, 12)}]`;
}

export class MetaAdapter implements PlatformAdapter, MetaAdGraph {
  constructor(private readonly options: MetaAdapterOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  execute(
    operation: PlatformOperation,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<PlatformResult> {
    const accessToken = this.options.accessToken;
    if (!accessToken) return Promise.resolve(notConfigured("Meta", "the ad account's access token"));
    return settle(async () => {
      if (isAdOperation(operation)) return executeMetaAd(this, operation, account, context, accessToken);
      if (isMetaAdsetOperation(operation)) {
        return runMetaAdsetOperation(operation, account, context, this.graph(accessToken));
      }
      switch (operation.type) {
        case "add_keywords":
        case "update_keywords":
        case "delete_keywords":
          return rejectedFailure("Keywords are Apple Search Ads only", LOCAL_CODES.invalidRequest);
        case "create_campaign":
          return this.createCampaign(operation.campaign, account, context, accessToken);
        case "update_budget": {
          const budget = new URLSearchParams();
          if (operation.dailyBudgetCents !== undefined) {
            budget.set("daily_budget", String(toMetaAmount(operation.dailyBudgetCents, account.currency)));
          }
          if (operation.lifetimeBudgetCents !== undefined) {
            budget.set(
              "lifetime_budget",
              String(toMetaAmount(operation.lifetimeBudgetCents, account.currency)),
            );
          }
          if (budget.size === 0) {
            return rejectedFailure(
              "A budget update needs a daily or lifetime budget",
              LOCAL_CODES.invalidRequest,
            );
          }
          return this.updateCampaign(operation.platformCampaignId, budget, accessToken);
        }
        case "pause_campaign":
          return this.updateCampaign(
            operation.platformCampaignId,
            new URLSearchParams({ status: "PAUSED" }),
            accessToken,
          );
        case "resume_campaign":
          return this.updateCampaign(
            operation.platformCampaignId,
            new URLSearchParams({ status: "ACTIVE" }),
            accessToken,
          );
        case "delete_campaign":
          return this.deleteCampaign(operation.platformCampaignId, accessToken);
      }
    });
  }

  /** Graph calls for the ad set requests (`meta-adsets.ts`), with this adapter's token and errors. */
  private graph(accessToken: string): MetaGraph {
    return {
      get: async (path, query) => {
        const params = new URLSearchParams({ ...query, access_token: accessToken });
        return (await this.send(this.graphUrl(path, params), { method: "GET" })).body;
      },
      post: async (path, params) => {
        params.set("access_token", accessToken);
        const response = await this.send(this.graphUrl(encodeURIComponent(path).replace(/%2F/g, "/")), {
          method: "POST",
          body: params,
        });
        assertSuccessFlag(response);
        return response.body;
      },
      delete: async (path) => {
        const query = new URLSearchParams({ access_token: accessToken });
        const response = await this.send(this.graphUrl(encodeURIComponent(path), query), {
          method: "DELETE",
        });
        assertSuccessFlag(response);
        return response.body;
      },
    };
  }

  /** Public: the ad requests (`meta-ads.ts`) call through the adapter itself. */
  graphUrl(path: string, query?: URLSearchParams): string {
    const base = this.options.apiBase.replace(/\/+$/, "");
    const version = this.options.apiVersion.startsWith("v")
      ? this.options.apiVersion
      : `v${this.options.apiVersion}`;
    const url = `${base}/${version}/${path}`;
    return query ? `${url}?${query.toString()}` : url;
  }

  private async createCampaign(
    campaign: CampaignSpec,
    account: AdAccountConnection,
    context: DispatchContext,
    accessToken: string,
  ): Promise<PlatformResult> {
    const tag = await metaIdempotencyTag(context.idempotencyKey);
    if (context.attempt > 1) {
      const existingId = await this.findCampaignByTag(account.externalId, tag, accessToken);
      if (existingId !== undefined) return { ok: true, platformCampaignId: existingId };
    }
    const params = buildCreateParams(campaign, account, tag);
    params.set("access_token", accessToken);
    const response = await this.send(this.graphUrl(`act_${account.externalId}/campaigns`), {
      method: "POST",
      body: params,
    });
    const id = idField(response.body, "id");
    if (id === undefined) {
      // Success without an id: the campaign may exist; the retry's lookup will find it.
      throw new PlatformFailure(transientFailure("Meta accepted the create but returned no campaign id"));
    }
    return { ok: true, platformCampaignId: id };
  }

  private async findCampaignByTag(
    adAccountExternalId: string,
    tag: string,
    accessToken: string,
  ): Promise<string | undefined> {
    const query = new URLSearchParams({
      fields: "id,name",
      filtering: JSON.stringify([{ field: "name", operator: "CONTAIN", value: tag }]),
      limit: "25",
      access_token: accessToken,
    });
    const response = await this.send(this.graphUrl(`act_${adAccountExternalId}/campaigns`, query), {
      method: "GET",
    });
    const campaigns = isRecord(response.body) ? response.body.data : undefined;
    if (!Array.isArray(campaigns)) return undefined;
    // Checked again here so a filter the API ignored cannot make us adopt someone else's campaign.
    const match = campaigns.find((candidate) => stringField(candidate, "name")?.includes(tag));
    return match === undefined ? undefined : idField(match, "id");
  }

  private async updateCampaign(
    platformCampaignId: string,
    params: URLSearchParams,
    accessToken: string,
  ): Promise<PlatformResult> {
    params.set("access_token", accessToken);
    const response = await this.send(this.graphUrl(encodeURIComponent(platformCampaignId)), {
      method: "POST",
      body: params,
    });
    assertSuccessFlag(response);
    return { ok: true, platformCampaignId };
  }

  private async deleteCampaign(platformCampaignId: string, accessToken: string): Promise<PlatformResult> {
    const query = new URLSearchParams({ access_token: accessToken });
    const response = await this.send(this.graphUrl(encodeURIComponent(platformCampaignId), query), {
      method: "DELETE",
    });
    assertSuccessFlag(response);
    return { ok: true, platformCampaignId };
  }

  async send(url: string, init: RequestInit): Promise<PlatformResponse> {
    const response = await sendPlatformRequest("Meta", url, init, this.options.timeoutMs);
    if (response.status >= 200 && response.status < 300 && !isRecord(errorObject(response.body))) {
      return response;
    }
    throw new PlatformFailure(classifyMetaError(response));
  }
}

function buildCreateParams(
  campaign: CampaignSpec,
  account: AdAccountConnection,
  tag: string,
): URLSearchParams {
  const settings = campaign.platformSettings;
  const params = new URLSearchParams({
    name: `${campaign.name} ${tag}`,
    objective: META_OBJECTIVES[campaign.outcome],
    status: "ACTIVE",
    special_ad_categories: JSON.stringify(
      Array.isArray(settings.specialAdCategories) ? settings.specialAdCategories : [],
    ),
    buying_type: typeof settings.buyingType === "string" ? settings.buyingType : "AUCTION",
  });
  if (Array.isArray(settings.specialAdCategoryCountry) && settings.specialAdCategoryCountry.length > 0) {
    params.set("special_ad_category_country", JSON.stringify(settings.specialAdCategoryCountry));
  }

  const hasCampaignBudget = campaign.dailyBudgetCents !== null || campaign.lifetimeBudgetCents !== null;
  if (campaign.dailyBudgetCents !== null) {
    params.set("daily_budget", String(toMetaAmount(campaign.dailyBudgetCents, account.currency)));
  }
  if (campaign.lifetimeBudgetCents !== null) {
    params.set("lifetime_budget", String(toMetaAmount(campaign.lifetimeBudgetCents, account.currency)));
  }
  if (hasCampaignBudget) {
    // Campaign-level bid strategy only exists with a campaign budget (Advantage campaign budget).
    if (typeof campaign.bidStrategy.type === "string") params.set("bid_strategy", campaign.bidStrategy.type);
  } else {
    // Without a campaign budget Meta requires an explicit choice about ad set budget sharing.
    params.set("is_adset_budget_sharing_enabled", "false");
  }

  if (campaign.startTime !== null) params.set("start_time", campaign.startTime);
  if (campaign.endTime !== null) params.set("stop_time", campaign.endTime);

  const promotedObject = account.settings.promotedObject;
  if (campaign.outcome === "app_installs" && isRecord(promotedObject)) {
    // The app part only: the same settings also carry the pixel and page other outcomes use.
    const { application_id, object_store_url } = promotedObject;
    const app = application_id === undefined ? promotedObject : { application_id, object_store_url };
    params.set("promoted_object", JSON.stringify(app));
  }
  return params;
}

function errorObject(body: unknown): unknown {
  return isRecord(body) ? body.error : undefined;
}

function assertSuccessFlag(response: PlatformResponse): void {
  if (isRecord(response.body) && response.body.success === false) {
    throw new PlatformFailure(transientFailure("Meta answered success: false"));
  }
}

export function classifyMetaError(response: PlatformResponse): PlatformFailureResult {
  const error = errorObject(response.body);
  const code = isRecord(error) && typeof error.code === "number" ? error.code : undefined;
  if (!isRecord(error) || code === undefined) {
    const message = `Meta answered HTTP ${response.status}`;
    return response.status >= 500 || response.status === 429
      ? transientFailure(message, { platformCode: String(response.status) })
      : rejectedFailure(message, `HTTP_${response.status}`);
  }

  const subcode = typeof error.error_subcode === "number" ? error.error_subcode : undefined;
  const platformCode = subcode === undefined ? String(code) : `${code}/${subcode}`;
  const message =
    stringField(error, "error_user_msg") ?? stringField(error, "message") ?? `Meta error ${platformCode}`;

  if (isThrottlingCode(code)) {
    return transientFailure(message, { platformCode, retryAfterMs: metaRetryAfterMs(response.headers) });
  }
  if (TRANSIENT_CODES.has(code) || error.is_transient === true)
    return transientFailure(message, { platformCode });
  if (AUTH_CODES.has(code)) {
    const status = subcode !== undefined && REVOKED_SUBCODES.has(subcode) ? "revoked" : "expired";
    return authFailure(`Meta access token is no longer valid: ${message}`, status, platformCode);
  }
  if (response.status >= 500) return transientFailure(message, { platformCode });
  return rejectedFailure(message, platformCode);
}

/**
 * The longest wait Meta announces: `X-Business-Use-Case-Usage` gives
 * `estimated_time_to_regain_access` in minutes per business and use case; `X-Ad-Account-Usage`
 * gives `reset_time_duration` in seconds for the ad-account-level limit.
 */
export function metaRetryAfterMs(headers: Headers): number | undefined {
  const waits: number[] = [];
  const businessUsage = parseHeaderJson(headers.get("x-business-use-case-usage"));
  if (isRecord(businessUsage)) {
    for (const entries of Object.values(businessUsage)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        const minutes = isRecord(entry) ? Number(entry.estimated_time_to_regain_access) : Number.NaN;
        if (Number.isFinite(minutes) && minutes > 0) waits.push(minutes * 60_000);
      }
    }
  }
  const accountUsage = parseHeaderJson(headers.get("x-ad-account-usage"));
  if (isRecord(accountUsage)) {
    const seconds = Number(accountUsage.reset_time_duration);
    if (Number.isFinite(seconds) && seconds > 0) waits.push(seconds * 1000);
  }
  return waits.length > 0 ? Math.max(...waits) : undefined;
}

function parseHeaderJson(value: string | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    // A malformed usage header only costs us the retry hint.
    return undefined;
  }
}
