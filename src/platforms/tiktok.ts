import { toTikTokAmount } from "../domain/money";
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
  transientFailure,
} from "./http";
import { executeTikTokAd } from "./tiktok-ads";
import { buildAdgroupBody, tiktokBidFields, tiktokScheduleFields, tiktokTargeting } from "./tiktok-adsets";
import type {
  AdAccountConnection,
  CampaignSpec,
  DispatchContext,
  PlatformAdapter,
  PlatformOperation,
  PlatformResult,
} from "./types";
import { isAdOperation } from "./types";

export interface TikTokAdapterOptions {
  /** Including the version, e.g. "https://business-api.tiktok.com/open_api/v1.3". */
  apiBase: string;
  accessToken: string | undefined;
  timeoutMs: number;
}

const TIKTOK_OBJECTIVES: Record<Outcome, { objective_type: string; app_promotion_type?: string }> = {
  conversions: { objective_type: "WEB_CONVERSIONS" },
  traffic: { objective_type: "TRAFFIC" },
  app_installs: { objective_type: "APP_PROMOTION", app_promotion_type: "APP_INSTALL" },
  engagement: { objective_type: "ENGAGEMENT" },
  lead_generation: { objective_type: "LEAD_GENERATION" },
};

const RATE_LIMITED_CODE = 40100;
/**
 * Return codes that mean the connection's token no longer works (2nd-hand, Unconfirmed — see
 * platforms.md): 40105 invalid/revoked, 40106 token/advertiser mismatch → revoked; 40102
 * expired, 40104 empty → expired.
 */
export const TIKTOK_AUTH_CODES: Readonly<Record<number, "expired" | "revoked">> = {
  40102: "expired",
  40104: "expired",
  40105: "revoked",
  40106: "revoked",
};

/** TikTok's 5xxxx codes are server-side failures (50002 is documented; the range is our reading). */
function isServerErrorCode(code: number): boolean {
  return code >= 50000 && code < 60000;
}

/**
 * TikTok's `request_id` makes a create idempotent: the same value succeeds once. It must be an
 * int64 written as a string, so we take the first 63 bits of SHA-256(idempotency key): the same
 * job always sends the same request_id, distinct jobs practically never collide.
 */
export async function tiktokRequestId(idempotencyKey: string): Promise<string> {
  const digest = await sha256(`tiktok-request:${idempotencyKey}`);
  let value = 0n;
  for (const byte of digest.subarray(0, 8)) value = (value << 8n) | BigInt(byte);
  const positive = value & 0x7fff_ffff_ffff_ffffn;
  return String(positive === 0n ? 1n : positive);
}

type StatusChange = "ENABLE" | "DISABLE" | "DELETE";

export class TikTokAdapter implements PlatformAdapter {
  constructor(private readonly options: TikTokAdapterOptions) {}

  execute(
    operation: PlatformOperation,
    account: AdAccountConnection,
    context: DispatchContext,
  ): Promise<PlatformResult> {
    const accessToken = this.options.accessToken;
    if (!accessToken) return Promise.resolve(notConfigured("TikTok", "the ad account's access token"));
    return settle(async () => {
      if (isAdOperation(operation)) return executeTikTokAd(this, operation, account, context, accessToken);
      switch (operation.type) {
        case "add_keywords":
        case "update_keywords":
        case "delete_keywords":
          return rejectedFailure("Keywords are Apple Search Ads only", LOCAL_CODES.invalidRequest);
        case "create_campaign":
          return this.createCampaign(operation.campaign, account, context, accessToken);
        case "create_adset": {
          const requestId = await tiktokRequestId(`${context.idempotencyKey}:${operation.adset.adsetId}`);
          const body = buildAdgroupBody(
            operation.campaign,
            operation.platformCampaignId,
            operation.adset,
            account,
            requestId,
          );
          const data = await this.call("/adgroup/create/", body, accessToken);
          const id = idField(data, "adgroup_id");
          if (id === undefined)
            throw new PlatformFailure(
              transientFailure("TikTok accepted the ad group but returned no adgroup_id"),
            );
          return { ok: true, platformCampaignId: operation.platformCampaignId, platformAdsetId: id };
        }
        case "update_adset_targeting": {
          // Placements are fixed at create: the update sends the audience only.
          const {
            placement_type: _type,
            placements: _placements,
            ...audience
          } = tiktokTargeting(operation.targeting);
          await this.call(
            "/adgroup/update/",
            { advertiser_id: account.externalId, adgroup_id: operation.platformAdsetId, ...audience },
            accessToken,
          );
          const { platformCampaignId, platformAdsetId } = operation;
          return { ok: true, platformCampaignId, platformAdsetId };
        }
        case "update_adset_budget": {
          const { platformCampaignId, platformAdsetId } = operation;
          const cents = operation.dailyBudgetCents ?? operation.lifetimeBudgetCents;
          if (cents === undefined) {
            return rejectedFailure(
              "A budget update needs a daily or lifetime budget",
              LOCAL_CODES.invalidRequest,
            );
          }
          await this.call(
            "/adgroup/update/",
            {
              advertiser_id: account.externalId,
              adgroup_id: platformAdsetId,
              budget: toTikTokAmount(cents, account.currency),
            },
            accessToken,
          );
          return { ok: true, platformCampaignId, platformAdsetId };
        }
        case "pause_adset":
        case "resume_adset":
        case "delete_adset": {
          const { platformCampaignId, platformAdsetId } = operation;
          const operationStatus = { pause_adset: "DISABLE", resume_adset: "ENABLE", delete_adset: "DELETE" }[
            operation.type
          ];
          await this.call(
            "/adgroup/status/update/",
            {
              advertiser_id: account.externalId,
              adgroup_ids: [platformAdsetId],
              operation_status: operationStatus,
            },
            accessToken,
          );
          return { ok: true, platformCampaignId, platformAdsetId };
        }
        case "update_adset_schedule": {
          const { platformCampaignId, platformAdsetId } = operation;
          const fields = tiktokScheduleFields(operation.schedule, true);
          await this.call(
            "/adgroup/update/",
            { advertiser_id: account.externalId, adgroup_id: platformAdsetId, ...fields },
            accessToken,
          );
          return { ok: true, platformCampaignId, platformAdsetId };
        }
        // TikTok campaigns carry neither dates nor bids: every ad group of the campaign takes them.
        case "update_campaign_schedule":
          for (const adset of operation.adsets) {
            await this.updateAdgroup(
              account,
              adset.platformAdsetId,
              tiktokScheduleFields(adset.schedule, false),
              accessToken,
            );
          }
          return { ok: true, platformCampaignId: operation.platformCampaignId };
        case "update_bid_strategy":
          for (const adset of operation.adsets) {
            const fields = tiktokBidFields(operation.bidStrategy, adset.billingEvent, account);
            await this.updateAdgroup(account, adset.platformAdsetId, fields, accessToken);
          }
          return { ok: true, platformCampaignId: operation.platformCampaignId };
        case "update_budget": {
          const cents = operation.dailyBudgetCents ?? operation.lifetimeBudgetCents;
          if (cents === undefined) {
            return rejectedFailure(
              "A budget update needs a daily or lifetime budget",
              LOCAL_CODES.invalidRequest,
            );
          }
          // The budget mode is fixed at create; the one `budget` field is whichever the campaign has.
          await this.call(
            "/campaign/update/",
            {
              advertiser_id: account.externalId,
              campaign_id: operation.platformCampaignId,
              budget: toTikTokAmount(cents, account.currency),
            },
            accessToken,
          );
          return { ok: true, platformCampaignId: operation.platformCampaignId };
        }
        case "pause_campaign":
          return this.changeStatus(operation.platformCampaignId, "DISABLE", account, accessToken);
        case "resume_campaign":
          return this.changeStatus(operation.platformCampaignId, "ENABLE", account, accessToken);
        case "delete_campaign":
          return this.changeStatus(operation.platformCampaignId, "DELETE", account, accessToken);
      }
    });
  }

  private async createCampaign(
    campaign: CampaignSpec,
    account: AdAccountConnection,
    context: DispatchContext,
    accessToken: string,
  ): Promise<PlatformResult> {
    const body = buildCreateBody(campaign, account, await tiktokRequestId(context.idempotencyKey));
    const data = await this.call("/campaign/create/", body, accessToken);
    const campaignId = idField(data, "campaign_id");
    if (campaignId === undefined) {
      // A retry with the same request_id returns the campaign that was created, if any.
      throw new PlatformFailure(transientFailure("TikTok accepted the create but returned no campaign_id"));
    }
    return { ok: true, platformCampaignId: campaignId };
  }

  private async changeStatus(
    platformCampaignId: string,
    operationStatus: StatusChange,
    account: AdAccountConnection,
    accessToken: string,
  ): Promise<PlatformResult> {
    await this.call(
      "/campaign/status/update/",
      {
        advertiser_id: account.externalId,
        campaign_ids: [platformCampaignId],
        operation_status: operationStatus,
      },
      accessToken,
    );
    return { ok: true, platformCampaignId };
  }

  private async updateAdgroup(
    account: AdAccountConnection,
    adgroupId: string,
    fields: Record<string, unknown>,
    accessToken: string,
  ): Promise<void> {
    await this.call(
      "/adgroup/update/",
      { advertiser_id: account.externalId, adgroup_id: adgroupId, ...fields },
      accessToken,
    );
  }

  /** POSTs to a TikTok endpoint and returns the envelope's `data` when `code` is 0. */
  call(path: string, body: Record<string, unknown>, accessToken: string): Promise<unknown> {
    return this.exchange(path, {
      method: "POST",
      headers: { "Access-Token": accessToken, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  /** GETs a TikTok endpoint (JSON-valued query parameters) and returns the envelope's `data`. */
  get(path: string, query: Record<string, unknown>, accessToken: string): Promise<unknown> {
    const params = new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
    return this.exchange(`${path}?${params.toString()}`, {
      method: "GET",
      headers: { "Access-Token": accessToken },
    });
  }

  private async exchange(path: string, init: RequestInit): Promise<unknown> {
    const url = `${this.options.apiBase.replace(/\/+$/, "")}${path}`;
    const response = await sendPlatformRequest("TikTok", url, init, this.options.timeoutMs);
    const code = isRecord(response.body) ? response.body.code : undefined;
    if (response.status >= 200 && response.status < 300 && code === 0) {
      return isRecord(response.body) ? response.body.data : undefined;
    }
    throw new PlatformFailure(classifyTikTokError(response));
  }
}

function buildCreateBody(
  campaign: CampaignSpec,
  account: AdAccountConnection,
  requestId: string,
): Record<string, unknown> {
  const settings = campaign.platformSettings;
  const budget =
    campaign.dailyBudgetCents !== null
      ? {
          budget_mode: "BUDGET_MODE_DAY",
          budget: toTikTokAmount(campaign.dailyBudgetCents, account.currency),
        }
      : campaign.lifetimeBudgetCents !== null
        ? {
            budget_mode: "BUDGET_MODE_TOTAL",
            budget: toTikTokAmount(campaign.lifetimeBudgetCents, account.currency),
          }
        : { budget_mode: "BUDGET_MODE_INFINITE" };
  const hasCampaignBudget = budget.budget_mode !== "BUDGET_MODE_INFINITE";
  return {
    advertiser_id: account.externalId,
    campaign_name: campaign.name,
    ...TIKTOK_OBJECTIVES[campaign.outcome],
    ...budget,
    // Campaign budget optimization needs a campaign budget to distribute.
    budget_optimize_on: hasCampaignBudget && settings.budgetOptimization !== false,
    operation_status: "ENABLE",
    special_industries: Array.isArray(settings.specialIndustries) ? settings.specialIndustries : [],
    request_id: requestId,
  };
}

export function classifyTikTokError(response: PlatformResponse): PlatformFailureResult {
  const envelope = isRecord(response.body) ? response.body : undefined;
  const code = typeof envelope?.code === "number" ? envelope.code : undefined;
  if (code === undefined || code === 0) {
    const message = `TikTok answered HTTP ${response.status}`;
    if (response.status >= 500 || response.status === 429) {
      return transientFailure(message, { platformCode: String(response.status) });
    }
    if (response.status >= 200 && response.status < 300) {
      return transientFailure(`${message} without a readable envelope`);
    }
    return rejectedFailure(message, `HTTP_${response.status}`);
  }

  const platformCode = String(code);
  const message = stringField(envelope, "message") ?? `TikTok error ${platformCode}`;
  if (code === RATE_LIMITED_CODE) return transientFailure(`TikTok rate limit: ${message}`, { platformCode });
  if (isServerErrorCode(code) || response.status >= 500) return transientFailure(message, { platformCode });
  const tokenStatus = TIKTOK_AUTH_CODES[code];
  if (tokenStatus !== undefined) {
    return authFailure(`TikTok access token is no longer valid: ${message}`, tokenStatus, platformCode);
  }
  return rejectedFailure(message, platformCode);
}
