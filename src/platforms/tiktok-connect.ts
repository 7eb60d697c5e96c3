/**
 * Owns TikTok's connection side (Business API v1.3): the advertiser authorization URL,
 * auth_code → long-term token + advertiser ids (no refresh token, no expiry: it lives until
 * the advertiser cancels), advertiser listing, paged campaign and ad group listing, revoke.
 * Response fields marked Unconfirmed in platforms.md are read defensively.
 */
import type { Outcome } from "../domain/platform-rules";
import type { CampaignPage, Grant, PlatformAccount, PlatformCampaign, PlatformConnector } from "./connect";
import { centsFromMainUnit, isoOrNull, tokenOf } from "./connect";
import {
  idField,
  isRecord,
  PlatformFailure,
  rejectedFailure,
  sendPlatformRequest,
  stringField,
} from "./http";
import type { PlatformConfig } from "./index";
import { classifyTikTokError } from "./tiktok";
import type { PlatformCredential } from "./types";

const PAGE_SIZE = 100;

const OUTCOMES: Record<string, Outcome> = {
  WEB_CONVERSIONS: "conversions",
  CONVERSIONS: "conversions",
  TRAFFIC: "traffic",
  APP_PROMOTION: "app_installs",
  APP_INSTALL: "app_installs",
  ENGAGEMENT: "engagement",
  LEAD_GENERATION: "lead_generation",
};

export class TikTokConnector implements PlatformConnector {
  constructor(private readonly config: PlatformConfig) {}

  authorizeUrl({ state, redirectUri }: { state: string; redirectUri: string }): string {
    const url = new URL(this.config.tiktokOAuthUrl);
    url.search = new URLSearchParams({
      app_id: this.app().appId,
      state,
      redirect_uri: redirectUri,
    }).toString();
    return url.toString();
  }

  async exchangeCode(code: string): Promise<Grant> {
    const { appId, appSecret } = this.app();
    const data = await this.call("oauth2/access_token/", {
      method: "POST",
      body: { app_id: appId, secret: appSecret, auth_code: code },
    });
    const accessToken = stringField(data, "access_token");
    if (!accessToken)
      throw new PlatformFailure(rejectedFailure("TikTok answered the code exchange without a token"));
    const ids = isRecord(data) && Array.isArray(data.advertiser_ids) ? data.advertiser_ids.map(String) : [];
    return { accessToken, expiresAt: null, externalIds: ids };
  }

  /** Marketing API tokens do not expire; there is nothing to renew (40107 names refreshing one an error). */
  async renew(): Promise<null> {
    return null;
  }

  async validate(credential: PlatformCredential): Promise<void> {
    await this.advertisers(tokenOf(credential));
  }

  async listAccounts(credential: PlatformCredential): Promise<PlatformAccount[]> {
    const token = tokenOf(credential);
    const advertisers = await this.advertisers(token);
    if (advertisers.length === 0) return [];
    const info = await this.call("advertiser/info/", {
      token,
      query: {
        advertiser_ids: JSON.stringify(advertisers.map((a) => a.id)),
        fields: JSON.stringify(["advertiser_id", "name", "currency", "timezone"]),
      },
    });
    const details = new Map(listOf(info).map((row) => [idField(row, "advertiser_id") ?? "", row]));
    return advertisers.map(({ id, name }) => {
      const row = details.get(id);
      return {
        externalId: id,
        name: stringField(row, "name") ?? name,
        currency: stringField(row, "currency") ?? "USD",
        timezone: stringField(row, "timezone") ?? "UTC",
        settings: {},
      };
    });
  }

  async listCampaigns(
    credential: PlatformCredential,
    account: { externalId: string; currency: string },
    cursor: string | null,
  ): Promise<CampaignPage> {
    const token = tokenOf(credential);
    const page = cursor ? Number(cursor) : 1;
    const data = await this.call("campaign/get/", {
      token,
      query: { advertiser_id: account.externalId, page: String(page), page_size: String(PAGE_SIZE) },
    });
    const items = listOf(data)
      .map(tiktokCampaign)
      .filter((c): c is PlatformCampaign => c !== null);
    for (const campaign of items)
      campaign.adSets = await this.listAdGroups(token, account.externalId, campaign.platformCampaignId);
    const pageInfo = isRecord(data) && isRecord(data.page_info) ? data.page_info : {};
    const totalPages = Number(pageInfo.total_page);
    const more = Number.isFinite(totalPages) ? page < totalPages : items.length === PAGE_SIZE;
    return { items, next: more ? String(page + 1) : null };
  }

  async revoke(credential: PlatformCredential): Promise<void> {
    const { appId, appSecret } = this.app();
    await this.call("oauth2/revoke_token/", {
      method: "POST",
      body: { app_id: appId, secret: appSecret, access_token: tokenOf(credential) },
    });
  }

  private async listAdGroups(token: string, advertiserId: string, campaignId: string) {
    const data = await this.call("adgroup/get/", {
      token,
      query: {
        advertiser_id: advertiserId,
        filtering: JSON.stringify({ campaign_ids: [campaignId] }),
        page_size: String(PAGE_SIZE),
      },
    });
    return listOf(data).flatMap((row) => {
      const id = idField(row, "adgroup_id");
      return id
        ? [
            {
              platformAdSetId: id,
              name: stringField(row, "adgroup_name") ?? "",
              status: stringField(row, "operation_status") ?? "",
            },
          ]
        : [];
    });
  }

  private async advertisers(token: string): Promise<{ id: string; name: string }[]> {
    const { appId, appSecret } = this.app();
    const data = await this.call("oauth2/advertiser/get/", {
      token,
      query: { app_id: appId, secret: appSecret },
    });
    return listOf(data).flatMap((row) => {
      const id = idField(row, "advertiser_id");
      return id ? [{ id, name: stringField(row, "advertiser_name") ?? `TikTok advertiser ${id}` }] : [];
    });
  }

  private app(): { appId: string; appSecret: string } {
    const { tiktokAppId: appId, tiktokAppSecret: appSecret } = this.config;
    if (!appId || !appSecret) {
      throw new PlatformFailure(
        rejectedFailure("TIKTOK_APP_ID / TIKTOK_APP_SECRET are not configured", "NOT_CONFIGURED"),
      );
    }
    return { appId, appSecret };
  }

  /** One call; answers the envelope's `data` when `code` is 0. */
  private async call(
    path: string,
    options: { method?: "GET" | "POST"; token?: string; query?: Record<string, string>; body?: unknown },
  ): Promise<unknown> {
    const base = this.config.tiktokApiBase.replace(/\/+$/, "");
    const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : "";
    const headers: Record<string, string> = {};
    if (options.token) headers["Access-Token"] = options.token;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await sendPlatformRequest(
      "TikTok",
      `${base}/${path}${query}`,
      {
        method: options.method ?? "GET",
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      },
      this.config.requestTimeoutMs,
    );
    if (
      response.status >= 200 &&
      response.status < 300 &&
      isRecord(response.body) &&
      response.body.code === 0
    ) {
      return response.body.data;
    }
    throw new PlatformFailure(classifyTikTokError(response));
  }
}

function listOf(data: unknown): unknown[] {
  return isRecord(data) && Array.isArray(data.list) ? data.list : [];
}

function tiktokCampaign(row: unknown): PlatformCampaign | null {
  const id = idField(row, "campaign_id");
  if (!id || !isRecord(row)) return null;
  const objective = stringField(row, "objective_type") ?? "";
  const budgetMode = stringField(row, "budget_mode");
  const budget = centsFromMainUnit(row.budget);
  const operation = stringField(row, "operation_status");
  const secondary = stringField(row, "secondary_status") ?? "";
  return {
    platformCampaignId: id,
    name: stringField(row, "campaign_name") ?? "",
    status:
      secondary.includes("DELETE") || operation === "DELETE"
        ? "deleted"
        : operation === "DISABLE"
          ? "paused"
          : "active",
    outcome: OUTCOMES[objective] ?? "conversions",
    dailyBudgetCents: budgetMode === "BUDGET_MODE_DAY" ? budget : null,
    lifetimeBudgetCents: budgetMode === "BUDGET_MODE_TOTAL" ? budget : null,
    startTime: null,
    endTime: null,
    platformSettings: {
      objectiveType: objective,
      budgetMode: budgetMode ?? null,
      createTime: isoOrNull(row.create_time),
    },
    adSets: [],
  };
}
