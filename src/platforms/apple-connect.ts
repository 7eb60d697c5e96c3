/**
 * Owns Apple Search Ads' connection side: no 3-legged OAuth — the customer's API user
 * (client id, team id, key id, private key) is proven by a client-credentials token exchange
 * and the org listing (`GET /acls`); each org becomes an ad account. Campaigns and ad groups
 * are listed with limit/offset paging. Apple has no revoke API.
 */

import { classifyAppleError } from "./apple";
import { type AppleTokenCache, isolateAppleTokenCache } from "./apple-auth";
import type { CampaignPage, PlatformAccount, PlatformCampaign, PlatformConnector } from "./connect";
import { centsFromMainUnit, isoOrNull } from "./connect";
import { idField, isRecord, PlatformFailure, sendPlatformRequest, stringField } from "./http";
import { appleOAuth, type PlatformConfig } from "./index";
import type { PlatformCredential } from "./types";

const PAGE_SIZE = 200;

type AppleUser = Extract<PlatformCredential, { kind: "apple_api_user" }>;

export class AppleConnector implements PlatformConnector {
  constructor(
    private readonly config: PlatformConfig,
    private readonly tokens: AppleTokenCache = isolateAppleTokenCache,
  ) {}

  async validate(credential: PlatformCredential): Promise<void> {
    await this.get(user(credential), "/acls", null);
  }

  async listAccounts(credential: PlatformCredential): Promise<PlatformAccount[]> {
    const body = await this.get(user(credential), "/acls", null);
    // Documented as a bare array; Apple's usual envelope puts lists under `data`: take either.
    const rows = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.data) ? body.data : [];
    return rows.flatMap((row) => {
      const orgId = idField(row, "orgId");
      if (!orgId) return [];
      return [
        {
          externalId: orgId,
          name: stringField(row, "orgName") ?? `Apple Search Ads org ${orgId}`,
          currency: stringField(row, "currency") ?? "USD",
          timezone: stringField(row, "timeZone") ?? "UTC",
          settings: { paymentModel: stringField(row, "paymentModel") ?? null },
        },
      ];
    });
  }

  async listCampaigns(
    credential: PlatformCredential,
    account: { externalId: string; currency: string },
    cursor: string | null,
  ): Promise<CampaignPage> {
    const offset = cursor ? Number(cursor) : 0;
    const body = await this.get(
      user(credential),
      `/campaigns?limit=${PAGE_SIZE}&offset=${offset}`,
      account.externalId,
    );
    const rows = isRecord(body) && Array.isArray(body.data) ? body.data : [];
    const items: PlatformCampaign[] = [];
    for (const row of rows) {
      const campaign = appleCampaign(row);
      if (!campaign) continue;
      const groups = await this.get(
        user(credential),
        `/campaigns/${campaign.platformCampaignId}/adgroups?limit=1000`,
        account.externalId,
      );
      campaign.adSets = (isRecord(groups) && Array.isArray(groups.data) ? groups.data : []).flatMap((g) => {
        const id = idField(g, "id");
        return id
          ? [
              {
                platformAdSetId: id,
                name: stringField(g, "name") ?? "",
                status: stringField(g, "status") ?? "",
              },
            ]
          : [];
      });
      items.push(campaign);
    }
    const pagination = isRecord(body) && isRecord(body.pagination) ? body.pagination : {};
    const total = Number(pagination.totalResults);
    const seen = offset + rows.length;
    const more = Number.isFinite(total) ? seen < total : rows.length === PAGE_SIZE;
    return { items, next: more && rows.length > 0 ? String(seen) : null };
  }

  private async get(credential: AppleUser, path: string, orgId: string | null): Promise<unknown> {
    const oauth = appleOAuth(credential, this.config);
    const url = `${this.config.appleApiBase.replace(/\/+$/, "")}${path}`;
    const send = async () => {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${await this.tokens.accessToken(oauth, this.config.requestTimeoutMs)}`,
      };
      if (orgId) headers["X-AP-Context"] = `orgId=${orgId}`;
      return sendPlatformRequest(
        "Apple Search Ads",
        url,
        { method: "GET", headers },
        this.config.requestTimeoutMs,
      );
    };
    let response = await send();
    if (response.status === 401) {
      this.tokens.invalidate(oauth);
      response = await send();
    }
    if (response.status >= 200 && response.status < 300) return response.body;
    throw new PlatformFailure(classifyAppleError(response, 1));
  }
}

function user(credential: PlatformCredential): AppleUser {
  if (credential.kind !== "apple_api_user") throw new Error("expected Apple API user credentials");
  return credential;
}

function appleCampaign(row: unknown): PlatformCampaign | null {
  const id = idField(row, "id");
  if (!id || !isRecord(row)) return null;
  const budget = isRecord(row.dailyBudgetAmount) ? centsFromMainUnit(row.dailyBudgetAmount.amount) : null;
  const status = stringField(row, "status");
  return {
    platformCampaignId: id,
    name: stringField(row, "name") ?? "",
    status: row.deleted === true ? "deleted" : status === "PAUSED" ? "paused" : "active",
    outcome: "app_installs",
    dailyBudgetCents: budget,
    lifetimeBudgetCents: null,
    startTime: isoOrNull(row.startTime),
    endTime: isoOrNull(row.endTime),
    platformSettings: {
      adamId: row.adamId ?? null,
      countriesOrRegions: Array.isArray(row.countriesOrRegions) ? row.countriesOrRegions : [],
      servingStatus: stringField(row, "servingStatus") ?? null,
    },
    adSets: [],
  };
}
