import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppleTokenCache } from "../../src/platforms/apple-auth";
import { AppleConnector } from "../../src/platforms/apple-connect";
import { PlatformFailure } from "../../src/platforms/http";
import { DEFAULT_PLATFORM_CONFIG, type PlatformConfig } from "../../src/platforms/index";
import { MetaConnector } from "../../src/platforms/meta-connect";
import { TikTokConnector } from "../../src/platforms/tiktok-connect";
import type { PlatformCredential } from "../../src/platforms/types";
import { queryFields, RequestLog, urlWithoutQuery } from "./fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const config: PlatformConfig = {
  ...DEFAULT_PLATFORM_CONFIG,
  metaApiBase: "https://graph.test.example",
  metaAppId: "meta-app",
  metaAppSecret: "meta-secret",
  tiktokApiBase: "https://tiktok.test.example/open_api/v1.3",
  tiktokAppId: "tt-app",
  tiktokAppSecret: "tt-secret",
  appleApiBase: "https://searchads.test.example/api/v5",
  appleTokenUrl: "https://appleid.test.example/auth/oauth2/token",
  requestTimeoutMs: 2_000,
};
const token = (accessToken: string): PlatformCredential => ({
  kind: "oauth_token",
  accessToken,
  expiresAt: null,
});
const GRAPH = "https://graph.test.example/v25.0";
const TT = "https://tiktok.test.example/open_api/v1.3";

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlatformFailure) return error.result;
    throw error;
  }
  throw new Error("expected a PlatformFailure");
}

describe("Meta connector", () => {
  const meta = new MetaConnector(config);

  it("builds the OAuth dialog URL", () => {
    const url = new URL(
      meta.authorizeUrl({ state: "s1", redirectUri: "https://api.example/v1/oauth/meta/callback" }),
    );
    expect(`${url.origin}${url.pathname}`).toBe("https://www.facebook.com/v25.0/dialog/oauth");
    expect(queryFields(url.toString())).toEqual({
      client_id: "meta-app",
      redirect_uri: "https://api.example/v1/oauth/meta/callback",
      state: "s1",
      response_type: "code",
      scope: "ads_management,ads_read,business_management",
    });
  });

  it("exchanges the code, then the short-lived token for a long-lived one", async () => {
    const log = new RequestLog();
    server.use(
      http.get(`${GRAPH}/oauth/access_token`, async ({ request }) => {
        await log.record(request);
        const q = new URL(request.url).searchParams;
        return q.get("grant_type") === "fb_exchange_token"
          ? HttpResponse.json({ access_token: "long-lived", token_type: "bearer", expires_in: 5_184_000 })
          : HttpResponse.json({ access_token: "short-lived", token_type: "bearer", expires_in: 3600 });
      }),
    );
    const grant = await meta.exchangeCode("the-code", "https://api.example/cb");
    expect(grant.accessToken).toBe("long-lived");
    expect(Date.parse(grant.expiresAt ?? "") - Date.now()).toBeGreaterThan(59 * 24 * 3600 * 1000);
    expect(queryFields(log.at(0).url)).toEqual({
      client_id: "meta-app",
      redirect_uri: "https://api.example/cb",
      client_secret: "meta-secret",
      code: "the-code",
    });
    expect(queryFields(log.at(1).url)).toEqual({
      grant_type: "fb_exchange_token",
      client_id: "meta-app",
      client_secret: "meta-secret",
      fb_exchange_token: "short-lived",
    });
  });

  it("renews a long-lived token by exchanging it again", async () => {
    const log = new RequestLog();
    server.use(
      http.get(`${GRAPH}/oauth/access_token`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ access_token: "renewed", expires_in: 5_184_000 });
      }),
    );
    expect((await meta.renew(token("old"))).accessToken).toBe("renewed");
    expect(queryFields(log.only().url).fb_exchange_token).toBe("old");
  });

  it("lists the granted ad accounts, following paging.next", async () => {
    server.use(
      http.get(`${GRAPH}/me/adaccounts`, ({ request }) => {
        const after = new URL(request.url).searchParams.get("after");
        if (after === "p2") {
          return HttpResponse.json({
            data: [{ account_id: "222", name: "Second", currency: "EUR", timezone_name: "Europe/Berlin" }],
          });
        }
        return HttpResponse.json({
          data: [
            {
              id: "act_111",
              account_id: "111",
              name: "First",
              currency: "USD",
              timezone_name: "America/New_York",
              account_status: 1,
            },
          ],
          paging: { cursors: { after: "p2" }, next: `${GRAPH}/me/adaccounts?after=p2&access_token=t` },
        });
      }),
    );
    const accounts = await meta.listAccounts(token("t"));
    expect(accounts.map((a) => [a.externalId, a.name, a.currency, a.timezone])).toEqual([
      ["111", "First", "USD", "America/New_York"],
      ["222", "Second", "EUR", "Europe/Berlin"],
    ]);
  });

  it("pages campaigns with their ad sets, in our units", async () => {
    const log = new RequestLog();
    server.use(
      http.get(`${GRAPH}/act_111/campaigns`, async ({ request }) => {
        await log.record(request);
        const after = new URL(request.url).searchParams.get("after");
        if (after === "c2") {
          return HttpResponse.json({
            data: [{ id: "3", name: "Three", objective: "OUTCOME_LEADS", status: "ARCHIVED" }],
          });
        }
        return HttpResponse.json({
          data: [
            {
              id: "1",
              name: "One",
              objective: "OUTCOME_SALES",
              status: "ACTIVE",
              daily_budget: "5000",
              start_time: "2026-01-01T00:00:00+0000",
            },
            {
              id: "2",
              name: "Two",
              objective: "OUTCOME_TRAFFIC",
              status: "PAUSED",
              lifetime_budget: "100000",
            },
          ],
          paging: { cursors: { after: "c2" }, next: `${GRAPH}/act_111/campaigns?after=c2` },
        });
      }),
      http.get(`${GRAPH}/:campaignId/adsets`, ({ params }) =>
        HttpResponse.json({
          data: [{ id: `${String(params.campaignId)}01`, name: "Ad set", status: "ACTIVE" }],
        }),
      ),
    );
    const account = { externalId: "111", currency: "USD" };
    const first = await meta.listCampaigns(token("t"), account, null);
    expect(first.next).toBe("c2");
    expect(first.items[0]).toMatchObject({
      platformCampaignId: "1",
      status: "active",
      outcome: "conversions",
      dailyBudgetCents: 5000,
      startTime: "2026-01-01T00:00:00.000Z",
      adSets: [{ platformAdSetId: "101" }],
    });
    expect(first.items[1]).toMatchObject({
      status: "paused",
      outcome: "traffic",
      lifetimeBudgetCents: 100_000,
    });
    const fields = queryFields(log.at(0).url);
    expect(fields.fields).toContain("effective_status");
    expect(fields.access_token).toBe("t");
    const second = await meta.listCampaigns(token("t"), account, first.next);
    expect(second).toMatchObject({
      next: null,
      items: [{ platformCampaignId: "3", status: "deleted", outcome: "lead_generation" }],
    });
  });

  it("classifies an expired token on a listing as an auth failure", async () => {
    server.use(
      http.get(`${GRAPH}/me`, () =>
        HttpResponse.json(
          { error: { code: 190, error_subcode: 463, message: "Session has expired" } },
          { status: 400 },
        ),
      ),
    );
    expect(await failureOf(meta.validate(token("t")))).toMatchObject({
      kind: "auth",
      tokenStatus: "expired",
      platformCode: "190/463",
    });
  });
});

const envelope = (data: unknown, code = 0, message = "OK") =>
  HttpResponse.json({ code, message, request_id: "r", data });

describe("TikTok connector", () => {
  const tiktok = new TikTokConnector(config);

  it("builds the authorization URL", () => {
    const url = new URL(tiktok.authorizeUrl({ state: "s", redirectUri: "https://api.example/cb" }));
    expect(urlWithoutQuery(url.toString())).toBe("https://business-api.tiktok.com/portal/auth");
    expect(queryFields(url.toString())).toEqual({
      app_id: "tt-app",
      state: "s",
      redirect_uri: "https://api.example/cb",
    });
  });

  it("exchanges the auth_code for a long-term token and advertiser ids", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${TT}/oauth2/access_token/`, async ({ request }) => {
        await log.record(request);
        return envelope({ access_token: "tt-token", advertiser_ids: ["7001", "7002"], scope: [1, 2] });
      }),
    );
    expect(await tiktok.exchangeCode("auth-code")).toEqual({
      accessToken: "tt-token",
      expiresAt: null,
      externalIds: ["7001", "7002"],
    });
    expect(JSON.parse(log.only().body)).toEqual({
      app_id: "tt-app",
      secret: "tt-secret",
      auth_code: "auth-code",
    });
    expect(await tiktok.renew()).toBeNull();
  });

  it("lists advertisers with their currency and timezone", async () => {
    const log = new RequestLog();
    server.use(
      http.get(`${TT}/oauth2/advertiser/get/`, async ({ request }) => {
        await log.record(request);
        return envelope({ list: [{ advertiser_id: 7001, advertiser_name: "Brand" }] });
      }),
      http.get(`${TT}/advertiser/info/`, () =>
        envelope({
          list: [{ advertiser_id: "7001", name: "Brand Inc", currency: "EUR", timezone: "Europe/Paris" }],
        }),
      ),
    );
    expect(await tiktok.listAccounts(token("tt-token"))).toEqual([
      { externalId: "7001", name: "Brand Inc", currency: "EUR", timezone: "Europe/Paris", settings: {} },
    ]);
    expect(log.only().headers.get("access-token")).toBe("tt-token");
    expect(queryFields(log.only().url)).toEqual({ app_id: "tt-app", secret: "tt-secret" });
  });

  it("pages campaigns by page_info, budgets from main units", async () => {
    server.use(
      http.get(`${TT}/campaign/get/`, ({ request }) => {
        const page = Number(new URL(request.url).searchParams.get("page"));
        const list =
          page === 1
            ? [
                {
                  campaign_id: "18001",
                  campaign_name: "A",
                  objective_type: "TRAFFIC",
                  budget_mode: "BUDGET_MODE_DAY",
                  budget: 50.5,
                  operation_status: "ENABLE",
                },
              ]
            : [
                {
                  campaign_id: "18002",
                  campaign_name: "B",
                  objective_type: "APP_PROMOTION",
                  budget_mode: "BUDGET_MODE_TOTAL",
                  budget: 1000,
                  operation_status: "DISABLE",
                },
              ];
        return envelope({ list, page_info: { page, page_size: 100, total_number: 2, total_page: 2 } });
      }),
      http.get(`${TT}/adgroup/get/`, () =>
        envelope({ list: [{ adgroup_id: "1700", adgroup_name: "G", operation_status: "ENABLE" }] }),
      ),
    );
    const account = { externalId: "7001", currency: "USD" };
    const first = await tiktok.listCampaigns(token("t"), account, null);
    expect(first).toMatchObject({
      next: "2",
      items: [
        {
          platformCampaignId: "18001",
          dailyBudgetCents: 5050,
          status: "active",
          outcome: "traffic",
          adSets: [{ platformAdSetId: "1700" }],
        },
      ],
    });
    const second = await tiktok.listCampaigns(token("t"), account, first.next);
    expect(second).toMatchObject({
      next: null,
      items: [{ lifetimeBudgetCents: 100_000, status: "paused", outcome: "app_installs" }],
    });
  });

  it("classifies token codes as auth failures (HTTP 200 with a code)", async () => {
    server.use(
      http.get(`${TT}/oauth2/advertiser/get/`, () => envelope({}, 40105, "Access token is invalid")),
    );
    expect(await failureOf(tiktok.validate(token("t")))).toMatchObject({
      kind: "auth",
      tokenStatus: "revoked",
      platformCode: "40105",
    });
  });
});

describe("Apple connector", () => {
  async function apiUser(): Promise<PlatformCredential> {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    const pem = `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...pkcs8))}\n-----END PRIVATE KEY-----`;
    return {
      kind: "apple_api_user",
      clientId: "SEARCHADS.c",
      teamId: "SEARCHADS.t",
      keyId: "k",
      privateKeyPem: pem,
    };
  }
  const tokenEndpoint = (status = 200) =>
    http.post(config.appleTokenUrl, () =>
      status === 200
        ? HttpResponse.json({ access_token: "apple-access", token_type: "Bearer", expires_in: 3600 })
        : HttpResponse.json({ error: "invalid_client" }, { status }),
    );

  it("proves the API user with a token exchange and lists its orgs", async () => {
    const log = new RequestLog();
    server.use(
      tokenEndpoint(),
      http.get(`${config.appleApiBase}/acls`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({
          data: [
            {
              orgId: 40669820,
              orgName: "Org",
              currency: "USD",
              timeZone: "America/Los_Angeles",
              paymentModel: "LOC",
            },
          ],
        });
      }),
    );
    const accounts = await new AppleConnector(config, new AppleTokenCache()).listAccounts(await apiUser());
    expect(accounts).toEqual([
      {
        externalId: "40669820",
        name: "Org",
        currency: "USD",
        timezone: "America/Los_Angeles",
        settings: { paymentModel: "LOC" },
      },
    ]);
    expect(log.only().headers.get("authorization")).toBe("Bearer apple-access");
  });

  it("pages campaigns by offset with the org context header", async () => {
    const log = new RequestLog();
    server.use(
      tokenEndpoint(),
      http.get(`${config.appleApiBase}/campaigns`, async ({ request }) => {
        await log.record(request);
        const offset = Number(new URL(request.url).searchParams.get("offset"));
        const data =
          offset === 0
            ? [
                {
                  id: 111,
                  name: "Brand",
                  status: "ENABLED",
                  dailyBudgetAmount: { amount: "25.50", currency: "USD" },
                },
              ]
            : [
                {
                  id: 222,
                  name: "Generic",
                  status: "PAUSED",
                  dailyBudgetAmount: { amount: "10", currency: "USD" },
                },
              ];
        return HttpResponse.json({
          data,
          pagination: { totalResults: 2, startIndex: offset, itemsPerPage: 1 },
        });
      }),
      http.get(`${config.appleApiBase}/campaigns/:id/adgroups`, () =>
        HttpResponse.json({ data: [{ id: 9, name: "G", status: "ENABLED" }] }),
      ),
    );
    const connector = new AppleConnector(config, new AppleTokenCache());
    const account = { externalId: "40669820", currency: "USD" };
    const credential = await apiUser();
    const first = await connector.listCampaigns(credential, account, null);
    expect(first).toMatchObject({
      next: "1",
      items: [
        {
          platformCampaignId: "111",
          dailyBudgetCents: 2550,
          status: "active",
          adSets: [{ platformAdSetId: "9" }],
        },
      ],
    });
    expect(log.at(0).headers.get("x-ap-context")).toBe("orgId=40669820");
    const second = await connector.listCampaigns(credential, account, first.next);
    expect(second).toMatchObject({ next: null, items: [{ platformCampaignId: "222", status: "paused" }] });
  });

  it("a removed API user (invalid_client) is an auth failure", async () => {
    server.use(tokenEndpoint(400));
    const result = await failureOf(
      new AppleConnector(config, new AppleTokenCache()).validate(await apiUser()),
    );
    expect(result).toMatchObject({ kind: "auth", tokenStatus: "revoked", platformCode: "invalid_client" });
  });
});
