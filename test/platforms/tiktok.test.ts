import { HttpResponse, http, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TikTokAdapter, tiktokRequestId } from "../../src/platforms/tiktok";
import type { PlatformOperation } from "../../src/platforms/types";
import { adAccount, campaignSpec, dispatchContext, RequestLog } from "./fixtures";

const BASE = "https://tiktok.test.example/open_api/v1.3";
const TOKEN = "tiktok-test-token";
const ADVERTISER_ID = "7000000000000000001";
const CAMPAIGN_ID = "1800000000000000001";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function tiktokAdapter(
  overrides: { accessToken?: string | undefined; timeoutMs?: number } = {},
): TikTokAdapter {
  return new TikTokAdapter({
    apiBase: BASE,
    accessToken: "accessToken" in overrides ? overrides.accessToken : TOKEN,
    timeoutMs: overrides.timeoutMs ?? 2_000,
  });
}

const account = adAccount("tiktok");
const campaign = campaignSpec("tiktok");

function envelope(code: number, message: string, data: unknown = {}) {
  return { code, message, request_id: "202611221234560000000000", data };
}

function respondAndRecord(path: string, log: RequestLog, body: JsonBodyType) {
  return http.post(`${BASE}${path}`, async ({ request }) => {
    await log.record(request);
    return HttpResponse.json(body);
  });
}

describe("TikTok request_id", () => {
  it("is a positive int64 string, the same for the same idempotency key", async () => {
    const first = await tiktokRequestId("job_A");
    expect(first).toMatch(/^[1-9]\d{0,18}$/);
    expect(BigInt(first) <= 9_223_372_036_854_775_807n).toBe(true);
    expect(await tiktokRequestId("job_A")).toBe(first);
    expect(await tiktokRequestId("job_B")).not.toBe(first);
  });
});

describe("TikTok create_campaign", () => {
  it("POSTs /campaign/create/ with the Access-Token header and returns data.campaign_id", async () => {
    const log = new RequestLog();
    server.use(respondAndRecord("/campaign/create/", log, envelope(0, "OK", { campaign_id: CAMPAIGN_ID })));
    const context = dispatchContext();

    const result = await tiktokAdapter().execute({ type: "create_campaign", campaign }, account, context);

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe(`${BASE}/campaign/create/`);
    expect(sent.headers.get("access-token")).toBe(TOKEN);
    expect(sent.headers.get("authorization")).toBeNull();
    expect(sent.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(sent.body), sent.body).toEqual({
      advertiser_id: ADVERTISER_ID,
      campaign_name: "Spring sale",
      objective_type: "WEB_CONVERSIONS",
      budget_mode: "BUDGET_MODE_DAY",
      budget: 123.45,
      budget_optimize_on: true,
      operation_status: "ENABLE",
      special_industries: [],
      request_id: await tiktokRequestId(context.idempotencyKey),
    });
  });

  it("sends a lifetime budget as BUDGET_MODE_TOTAL and app installs as APP_PROMOTION + APP_INSTALL", async () => {
    const log = new RequestLog();
    server.use(respondAndRecord("/campaign/create/", log, envelope(0, "OK", { campaign_id: CAMPAIGN_ID })));

    await tiktokAdapter().execute(
      {
        type: "create_campaign",
        campaign: {
          ...campaign,
          outcome: "app_installs",
          dailyBudgetCents: null,
          lifetimeBudgetCents: 1_000_000,
          platformSettings: { budgetOptimization: true, specialIndustries: ["HOUSING"] },
        },
      },
      adAccount("tiktok", { currency: "JPY" }),
      dispatchContext(),
    );

    expect(JSON.parse(log.only().body), log.only().body).toMatchObject({
      objective_type: "APP_PROMOTION",
      app_promotion_type: "APP_INSTALL",
      budget_mode: "BUDGET_MODE_TOTAL",
      budget: 10_000,
      special_industries: ["HOUSING"],
    });
  });

  it("without a campaign budget sends BUDGET_MODE_INFINITE and no campaign budget optimization", async () => {
    const log = new RequestLog();
    server.use(respondAndRecord("/campaign/create/", log, envelope(0, "OK", { campaign_id: CAMPAIGN_ID })));

    await tiktokAdapter().execute(
      { type: "create_campaign", campaign: { ...campaign, outcome: "traffic", dailyBudgetCents: null } },
      account,
      dispatchContext(),
    );

    const body = JSON.parse(log.only().body);
    expect(body, log.only().body).toMatchObject({
      objective_type: "TRAFFIC",
      budget_mode: "BUDGET_MODE_INFINITE",
      budget_optimize_on: false,
    });
    expect(body).not.toHaveProperty("budget");
    expect(body).not.toHaveProperty("app_promotion_type");
  });

  it("a retried create sends the same request_id (TikTok creates once per request_id)", async () => {
    const log = new RequestLog();
    server.use(respondAndRecord("/campaign/create/", log, envelope(0, "OK", { campaign_id: CAMPAIGN_ID })));

    await tiktokAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext({ attempt: 1 }),
    );
    await tiktokAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext({ attempt: 2 }),
    );

    const [first, second] = log.requests.map((request) => JSON.parse(request.body).request_id);
    expect(first).toBeDefined();
    expect(second).toBe(first);
  });

  it("code 0 without a campaign_id → transient", async () => {
    server.use(http.post(`${BASE}/campaign/create/`, () => HttpResponse.json(envelope(0, "OK", {}))));
    const result = await tiktokAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "transient" });
  });
});

describe("TikTok campaign updates", () => {
  it("update_budget POSTs /campaign/update/ with the budget in main units", async () => {
    const log = new RequestLog();
    server.use(respondAndRecord("/campaign/update/", log, envelope(0, "OK", { campaign_id: CAMPAIGN_ID })));

    const result = await tiktokAdapter().execute(
      { type: "update_budget", campaign, platformCampaignId: CAMPAIGN_ID, dailyBudgetCents: 7_550 },
      account,
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe(`${BASE}/campaign/update/`);
    expect(sent.headers.get("access-token")).toBe(TOKEN);
    expect(JSON.parse(sent.body), sent.body).toEqual({
      advertiser_id: ADVERTISER_ID,
      campaign_id: CAMPAIGN_ID,
      budget: 75.5,
    });
  });

  it("update_budget with a lifetime amount sends it as the budget", async () => {
    const log = new RequestLog();
    server.use(respondAndRecord("/campaign/update/", log, envelope(0, "OK")));
    await tiktokAdapter().execute(
      { type: "update_budget", campaign, platformCampaignId: CAMPAIGN_ID, lifetimeBudgetCents: 900_000 },
      account,
      dispatchContext(),
    );
    expect(JSON.parse(log.only().body).budget).toBe(9_000);
  });

  it.each([
    { type: "pause_campaign", operationStatus: "DISABLE" },
    { type: "resume_campaign", operationStatus: "ENABLE" },
    { type: "delete_campaign", operationStatus: "DELETE" },
  ] as const)(
    "$type POSTs /campaign/status/update/ with $operationStatus",
    async ({ type, operationStatus }) => {
      const log = new RequestLog();
      server.use(
        respondAndRecord("/campaign/status/update/", log, envelope(0, "OK", { campaign_ids: [CAMPAIGN_ID] })),
      );

      const result = await tiktokAdapter().execute(
        { type, campaign, platformCampaignId: CAMPAIGN_ID },
        account,
        dispatchContext(),
      );

      expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
      const sent = log.only();
      expect(sent.method).toBe("POST");
      expect(sent.url).toBe(`${BASE}/campaign/status/update/`);
      expect(sent.headers.get("access-token")).toBe(TOKEN);
      expect(JSON.parse(sent.body), sent.body).toEqual({
        advertiser_id: ADVERTISER_ID,
        campaign_ids: [CAMPAIGN_ID],
        operation_status: operationStatus,
      });
    },
  );
});

describe("TikTok error classification", () => {
  const pause: PlatformOperation = { type: "pause_campaign", campaign, platformCampaignId: CAMPAIGN_ID };

  async function pauseAnswering(response: Response) {
    server.use(http.post(`${BASE}/campaign/status/update/`, () => response));
    return tiktokAdapter().execute(pause, account, dispatchContext());
  }

  it("40100 (rate limited, on HTTP 200) → transient", async () => {
    const result = await pauseAnswering(HttpResponse.json(envelope(40100, "Too many requests")));
    expect(result).toEqual({
      ok: false,
      kind: "transient",
      message: "TikTok rate limit: Too many requests",
      platformCode: "40100",
    });
  });

  it("50002 (server error) → transient", async () => {
    const result = await pauseAnswering(HttpResponse.json(envelope(50002, "Internal error")));
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "50002" });
  });

  it("HTTP 5xx → transient", async () => {
    const result = await pauseAnswering(new HttpResponse("upstream error", { status: 503 }));
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "503" });
  });

  it.each([
    [40105, "revoked"],
    [40106, "revoked"],
    [40102, "expired"],
    [40104, "expired"],
  ])("%s (token no longer valid) → auth failure, token %s", async (code, tokenStatus) => {
    const result = await pauseAnswering(HttpResponse.json(envelope(code, "Access token is invalid")));
    expect(result).toMatchObject({ ok: false, kind: "auth", tokenStatus, platformCode: String(code) });
    expect(result.ok === false && result.message).toMatch(/token/);
  });

  it("other non-zero codes → rejected with the code", async () => {
    const result = await pauseAnswering(HttpResponse.json(envelope(40002, "campaign_ids: Invalid campaign")));
    expect(result).toEqual({
      ok: false,
      kind: "rejected",
      message: "campaign_ids: Invalid campaign",
      platformCode: "40002",
    });
  });

  it("HTTP 4xx without an envelope → rejected", async () => {
    const result = await pauseAnswering(new HttpResponse("not found", { status: 404 }));
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "HTTP_404" });
  });

  it("network error → transient", async () => {
    const result = await pauseAnswering(HttpResponse.error());
    expect(result).toMatchObject({ ok: false, kind: "transient" });
    expect(result.ok === false && result.message).toMatch(/Could not reach TikTok/);
  });

  it("timeout → transient", async () => {
    server.use(
      http.post(`${BASE}/campaign/status/update/`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return HttpResponse.json(envelope(0, "OK"));
      }),
    );
    const result = await tiktokAdapter({ timeoutMs: 50 }).execute(pause, account, dispatchContext());
    expect(result).toEqual({ ok: false, kind: "transient", message: "TikTok did not answer within 50 ms" });
  });
});

describe("TikTok configuration and local refusals", () => {
  it("without an access token → rejected NOT_CONFIGURED", async () => {
    const result = await tiktokAdapter({ accessToken: undefined }).execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "NOT_CONFIGURED" });
  });

  it("a fractional yen budget → rejected INVALID_AMOUNT", async () => {
    const result = await tiktokAdapter().execute(
      { type: "update_budget", campaign, platformCampaignId: CAMPAIGN_ID, dailyBudgetCents: 700_001 },
      adAccount("tiktok", { currency: "JPY" }),
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "INVALID_AMOUNT" });
  });
});
