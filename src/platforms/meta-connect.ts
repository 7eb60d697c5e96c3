/**
 * Owns Meta's connection side (Graph API): the OAuth dialog URL, code → short-lived token →
 * long-lived token (~60 days, no refresh token; renewed by exchanging it again while it is
 * still valid), the granted ad accounts, paged campaign listing with their ad sets.
 */
import { fromMetaAmount } from "../domain/money";
import type { Outcome } from "../domain/platform-rules";
import type { CampaignPage, Grant, PlatformAccount, PlatformCampaign, PlatformConnector } from "./connect";
import { isoOrNull, tokenOf } from "./connect";
import {
  idField,
  isRecord,
  PlatformFailure,
  rejectedFailure,
  sendPlatformRequest,
  stringField,
} from "./http";
import type { PlatformConfig } from "./index";
import { classifyMetaError } from "./meta";
import type { PlatformCredential } from "./types";

/** Permissions asked for (platforms.md); Facebook Login for Business would use a config_id instead. */
export const META_SCOPES = "ads_management,ads_read,business_management";
const CAMPAIGN_FIELDS =
  "id,name,objective,status,effective_status,daily_budget,lifetime_budget,start_time,stop_time,updated_time";
const PAGE_SIZE = 50;

const OUTCOMES: Record<string, Outcome> = {
  OUTCOME_SALES: "conversions",
  OUTCOME_TRAFFIC: "traffic",
  OUTCOME_APP_PROMOTION: "app_installs",
  OUTCOME_ENGAGEMENT: "engagement",
  OUTCOME_LEADS: "lead_generation",
};

export class MetaConnector implements PlatformConnector {
  constructor(private readonly config: PlatformConfig) {}

  authorizeUrl({ state, redirectUri }: { state: string; redirectUri: string }): string {
    const url = new URL(this.config.metaOAuthDialogUrl);
    url.search = new URLSearchParams({
      client_id: this.app().appId,
      redirect_uri: redirectUri,
      state,
      response_type: "code",
      scope: META_SCOPES,
    }).toString();
    return url.toString();
  }

  async exchangeCode(code: string, redirectUri: string): Promise<Grant> {
    const { appId, appSecret } = this.app();
    const short = await this.get("oauth/access_token", {
      client_id: appId,
      redirect_uri: redirectUri,
      client_secret: appSecret,
      code,
    });
    const shortToken = stringField(short, "access_token");
    if (!shortToken)
      throw new PlatformFailure(rejectedFailure("Meta answered the code exchange without a token"));
    return this.longLived(shortToken);
  }

  async renew(credential: PlatformCredential): Promise<Grant> {
    return this.longLived(tokenOf(credential));
  }

  async validate(credential: PlatformCredential): Promise<void> {
    await this.get("me", { fields: "id", access_token: tokenOf(credential) });
  }

  async listAccounts(credential: PlatformCredential): Promise<PlatformAccount[]> {
    const accounts: PlatformAccount[] = [];
    let next: string | null = this.url("me/adaccounts", {
      fields: "account_id,name,currency,timezone_name,account_status",
      limit: "100",
      access_token: tokenOf(credential),
    });
    while (next) {
      const body = await this.send(next);
      for (const row of dataOf(body)) {
        const externalId = idField(row, "account_id");
        if (!externalId) continue;
        accounts.push({
          externalId,
          name: stringField(row, "name") ?? `Meta ad account ${externalId}`,
          currency: stringField(row, "currency") ?? "USD",
          timezone: stringField(row, "timezone_name") ?? "UTC",
          settings: { accountStatus: isRecord(row) ? (row.account_status ?? null) : null },
        });
      }
      next = nextPage(body);
    }
    return accounts;
  }

  async listCampaigns(
    credential: PlatformCredential,
    account: { externalId: string; currency: string },
    cursor: string | null,
  ): Promise<CampaignPage> {
    const token = tokenOf(credential);
    // Meta's paging.next is a full URL carrying the token: only its `after` cursor leaves here.
    const query: Record<string, string> = {
      fields: CAMPAIGN_FIELDS,
      limit: String(PAGE_SIZE),
      access_token: token,
    };
    if (cursor) query.after = cursor;
    const body = await this.send(this.url(`act_${account.externalId}/campaigns`, query));
    const items: PlatformCampaign[] = [];
    for (const row of dataOf(body)) {
      const campaign = metaCampaign(row, account.currency);
      if (!campaign) continue;
      campaign.adSets = await this.listAdSets(campaign.platformCampaignId, token);
      items.push(campaign);
    }
    const after =
      nextPage(body) && isRecord(body) && isRecord(body.paging) && isRecord(body.paging.cursors)
        ? (stringField(body.paging.cursors, "after") ?? null)
        : null;
    return { items, next: after };
  }

  async revoke(credential: PlatformCredential): Promise<void> {
    await this.send(this.url("me/permissions", { access_token: tokenOf(credential) }), { method: "DELETE" });
  }

  private async listAdSets(campaignId: string, token: string): Promise<PlatformCampaign["adSets"]> {
    const adSets: PlatformCampaign["adSets"] = [];
    let next: string | null = this.url(`${campaignId}/adsets`, {
      fields: "id,name,status",
      limit: "100",
      access_token: token,
    });
    while (next) {
      const body = await this.send(next);
      for (const row of dataOf(body)) {
        const id = idField(row, "id");
        if (id)
          adSets.push({
            platformAdSetId: id,
            name: stringField(row, "name") ?? "",
            status: stringField(row, "status") ?? "",
          });
      }
      next = nextPage(body);
    }
    return adSets;
  }

  private async longLived(token: string): Promise<Grant> {
    const { appId, appSecret } = this.app();
    const body = await this.get("oauth/access_token", {
      grant_type: "fb_exchange_token",
      client_id: appId,
      client_secret: appSecret,
      fb_exchange_token: token,
    });
    const accessToken = stringField(body, "access_token");
    if (!accessToken)
      throw new PlatformFailure(rejectedFailure("Meta answered the token exchange without a token"));
    const expiresIn = isRecord(body) ? Number(body.expires_in) : Number.NaN;
    return {
      accessToken,
      expiresAt:
        Number.isFinite(expiresIn) && expiresIn > 0
          ? new Date(Date.now() + expiresIn * 1000).toISOString()
          : null,
    };
  }

  private app(): { appId: string; appSecret: string } {
    const { metaAppId: appId, metaAppSecret: appSecret } = this.config;
    if (!appId || !appSecret) {
      throw new PlatformFailure(
        rejectedFailure("META_APP_ID / META_APP_SECRET are not configured", "NOT_CONFIGURED"),
      );
    }
    return { appId, appSecret };
  }

  private url(path: string, query: Record<string, string>): string {
    const base = this.config.metaApiBase.replace(/\/+$/, "");
    const version = this.config.metaApiVersion.startsWith("v")
      ? this.config.metaApiVersion
      : `v${this.config.metaApiVersion}`;
    return `${base}/${version}/${path}?${new URLSearchParams(query).toString()}`;
  }

  private get(path: string, query: Record<string, string>): Promise<unknown> {
    return this.send(this.url(path, query));
  }

  private async send(url: string, init: RequestInit = { method: "GET" }): Promise<unknown> {
    const response = await sendPlatformRequest("Meta", url, init, this.config.requestTimeoutMs);
    if (
      response.status >= 200 &&
      response.status < 300 &&
      !(isRecord(response.body) && isRecord(response.body.error))
    ) {
      return response.body;
    }
    throw new PlatformFailure(classifyMetaError(response));
  }
}

function dataOf(body: unknown): unknown[] {
  return isRecord(body) && Array.isArray(body.data) ? body.data : [];
}

/** Follow `paging.next` until it is absent; a short page is not the end. */
function nextPage(body: unknown): string | null {
  return isRecord(body) && isRecord(body.paging) ? (stringField(body.paging, "next") ?? null) : null;
}

function metaCampaign(row: unknown, currency: string): PlatformCampaign | null {
  const id = idField(row, "id");
  if (!id || !isRecord(row)) return null;
  const objective = stringField(row, "objective") ?? "";
  const status = stringField(row, "status");
  const amount = (key: string) => {
    const value = Number(row[key]);
    return Number.isFinite(value) && value > 0 ? fromMetaAmount(value, currency) : null;
  };
  return {
    platformCampaignId: id,
    name: stringField(row, "name") ?? "",
    status: status === "ACTIVE" ? "active" : status === "PAUSED" ? "paused" : "deleted",
    outcome: OUTCOMES[objective] ?? "conversions",
    dailyBudgetCents: amount("daily_budget"),
    lifetimeBudgetCents: amount("lifetime_budget"),
    startTime: isoOrNull(row.start_time),
    endTime: isoOrNull(row.stop_time),
    platformSettings: { objective, effectiveStatus: stringField(row, "effective_status") ?? null },
    adSets: [],
  };
}
