import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AppleAdapter } from "../../src/platforms/apple";
import type { PlatformOperation } from "../../src/platforms/types";
import { adAccount, campaignSpec, dispatchContext, RequestLog } from "./fixtures";

const BASE = "https://searchads.test.example/api/v5";
const TOKEN = "apple-test-token";
const ORG_ID = "40669820";
const CAMPAIGN_ID = "1234567890";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function appleAdapter(
  overrides: { accessToken?: string | undefined; timeoutMs?: number } = {},
): AppleAdapter {
  return new AppleAdapter({
    apiBase: BASE,
    accessToken: "accessToken" in overrides ? overrides.accessToken : TOKEN,
    oauth: undefined,
    timeoutMs: overrides.timeoutMs ?? 2_000,
  });
}

const account = adAccount("apple");
const campaign = campaignSpec("apple");

function campaignData(overrides: Record<string, unknown> = {}) {
  return {
    data: {
      id: Number(CAMPAIGN_ID),
      orgId: Number(ORG_ID),
      name: "Spring sale",
      adamId: 1_234_567_890,
      ...overrides,
    },
    pagination: null,
    error: null,
  };
}

function appleError(messageCode: string, message: string, field?: string) {
  return { data: null, pagination: null, error: { errors: [{ messageCode, message, field }] } };
}

function expectAppleHeaders(headers: Headers, withBody: boolean) {
  expect(headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
  expect(headers.get("x-ap-context")).toBe(`orgId=${ORG_ID}`);
  expect(headers.get("content-type")).toBe(withBody ? "application/json" : null);
}

describe("Apple create_campaign", () => {
  it("POSTs /campaigns with the org context and returns data.id", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${BASE}/campaigns`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json(campaignData());
      }),
    );

    const result = await appleAdapter().execute(
      {
        type: "create_campaign",
        campaign: { ...campaign, startTime: "2026-12-01T08:30:00Z", endTime: "2027-01-01T00:00:00.000Z" },
      },
      account,
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe(`${BASE}/campaigns`);
    expectAppleHeaders(sent.headers, true);
    expect(JSON.parse(sent.body), sent.body).toEqual({
      orgId: 40_669_820,
      name: "Spring sale",
      adamId: 1_234_567_890,
      countriesOrRegions: ["US", "CA"],
      dailyBudgetAmount: { amount: "123.45", currency: "USD" },
      adChannelType: "SEARCH",
      supplySources: ["APPSTORE_SEARCH_RESULTS"],
      billingEvent: "TAPS",
      status: "ENABLED",
      startTime: "2026-12-01T08:30:00.000",
      endTime: "2027-01-01T00:00:00.000",
    });
  });

  it("sends MAX_CONVERSIONS with its target CPA, and zero-decimal amounts without decimals", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${BASE}/campaigns`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json(campaignData());
      }),
    );

    await appleAdapter().execute(
      {
        type: "create_campaign",
        campaign: {
          ...campaign,
          dailyBudgetCents: 1_000_000,
          bidStrategy: { type: "MAX_CONVERSIONS", targetCpaCents: 50_000 },
          targeting: { countries: ["JP"], placements: "automatic" },
        },
      },
      adAccount("apple", { currency: "JPY", settings: { adamId: "987654321" } }),
      dispatchContext(),
    );

    expect(JSON.parse(log.only().body), log.only().body).toMatchObject({
      adamId: 987_654_321,
      countriesOrRegions: ["JP"],
      dailyBudgetAmount: { amount: "10000", currency: "JPY" },
      biddingStrategy: "MAX_CONVERSIONS",
      targetCpa: { amount: "500", currency: "JPY" },
    });
  });

  it("falls back to the connection's default countries", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${BASE}/campaigns`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json(campaignData());
      }),
    );
    await appleAdapter().execute(
      { type: "create_campaign", campaign: { ...campaign, targeting: { countries: [] } } },
      adAccount("apple", { settings: { adamId: 1_234_567_890, countriesOrRegions: ["GB", "IE"] } }),
      dispatchContext(),
    );
    expect(JSON.parse(log.only().body).countriesOrRegions).toEqual(["GB", "IE"]);
  });

  it("on a retry, adopts the same-named campaign an earlier attempt created", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${BASE}/campaigns/find`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({
          data: [{ id: Number(CAMPAIGN_ID), name: "Spring sale", adamId: 1_234_567_890 }],
          pagination: { totalResults: 1, startIndex: 0, itemsPerPage: 1 },
          error: null,
        });
      }),
      http.post(`${BASE}/campaigns`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json(campaignData({ id: 999 }));
      }),
    );

    const result = await appleAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext({ attempt: 2 }),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const lookup = log.only();
    expect(lookup.url).toBe(`${BASE}/campaigns/find`);
    expectAppleHeaders(lookup.headers, true);
    expect(JSON.parse(lookup.body), lookup.body).toEqual({
      conditions: [{ field: "name", operator: "EQUALS", values: ["Spring sale"] }],
      pagination: { offset: 0, limit: 10 },
    });
  });

  it("on a retry with no campaign of that name and app, creates it", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${BASE}/campaigns/find`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [{ id: 5, name: "Spring sale", adamId: 42 }], error: null });
      }),
      http.post(`${BASE}/campaigns`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json(campaignData());
      }),
    );

    const result = await appleAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext({ attempt: 2 }),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    expect(log.requests.map((request) => request.url)).toEqual([
      `${BASE}/campaigns/find`,
      `${BASE}/campaigns`,
    ]);
  });

  it.each([
    {
      label: "no adamId on the connection",
      campaignOverrides: {},
      accountOverrides: { settings: {} },
      platformCode: "NOT_CONFIGURED",
    },
    {
      label: "a lifetime budget",
      campaignOverrides: { dailyBudgetCents: null, lifetimeBudgetCents: 100_000 },
      accountOverrides: {},
      platformCode: "INVALID_REQUEST",
    },
    {
      label: "no daily budget",
      campaignOverrides: { dailyBudgetCents: null },
      accountOverrides: {},
      platformCode: "INVALID_REQUEST",
    },
    {
      label: "no countries anywhere",
      campaignOverrides: { targeting: {} },
      accountOverrides: {},
      platformCode: "INVALID_REQUEST",
    },
    {
      label: "a fractional yen",
      campaignOverrides: { dailyBudgetCents: 1_000_050 },
      accountOverrides: { currency: "JPY" },
      platformCode: "INVALID_AMOUNT",
    },
  ])(
    "refuses $label locally ($platformCode), sending nothing",
    async ({ campaignOverrides, accountOverrides, platformCode }) => {
      const result = await appleAdapter().execute(
        { type: "create_campaign", campaign: { ...campaign, ...campaignOverrides } },
        adAccount("apple", accountOverrides),
        dispatchContext(),
      );
      expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode });
    },
  );
});

describe("Apple campaign updates", () => {
  it.each([
    {
      name: "update_budget",
      operation: {
        type: "update_budget",
        campaign,
        platformCampaignId: CAMPAIGN_ID,
        dailyBudgetCents: 25_000,
      } satisfies PlatformOperation,
      body: { campaign: { dailyBudgetAmount: { amount: "250.00", currency: "USD" } } },
    },
    {
      name: "pause_campaign",
      operation: {
        type: "pause_campaign",
        campaign,
        platformCampaignId: CAMPAIGN_ID,
      } satisfies PlatformOperation,
      body: { campaign: { status: "PAUSED" } },
    },
    {
      name: "resume_campaign",
      operation: {
        type: "resume_campaign",
        campaign,
        platformCampaignId: CAMPAIGN_ID,
      } satisfies PlatformOperation,
      body: { campaign: { status: "ENABLED" } },
    },
  ])("$name PUTs /campaigns/<id> with the change", async ({ operation, body }) => {
    const log = new RequestLog();
    server.use(
      http.put(`${BASE}/campaigns/${CAMPAIGN_ID}`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json(campaignData());
      }),
    );

    const result = await appleAdapter().execute(operation, account, dispatchContext());

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("PUT");
    expect(sent.url).toBe(`${BASE}/campaigns/${CAMPAIGN_ID}`);
    expectAppleHeaders(sent.headers, true);
    expect(JSON.parse(sent.body), sent.body).toEqual(body);
  });

  it("refuses a lifetime budget update locally", async () => {
    const result = await appleAdapter().execute(
      { type: "update_budget", campaign, platformCampaignId: CAMPAIGN_ID, lifetimeBudgetCents: 25_000 },
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "INVALID_REQUEST" });
  });

  it("delete_campaign sends DELETE /campaigns/<id> without a body", async () => {
    const log = new RequestLog();
    server.use(
      http.delete(`${BASE}/campaigns/${CAMPAIGN_ID}`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: null, pagination: null, error: null });
      }),
    );

    const result = await appleAdapter().execute(
      { type: "delete_campaign", campaign, platformCampaignId: CAMPAIGN_ID },
      account,
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("DELETE");
    expect(sent.url).toBe(`${BASE}/campaigns/${CAMPAIGN_ID}`);
    expectAppleHeaders(sent.headers, false);
    expect(sent.body).toBe("");
  });

  it("a retried delete that finds the campaign gone succeeds; a first attempt does not", async () => {
    server.use(
      http.delete(`${BASE}/campaigns/${CAMPAIGN_ID}`, () =>
        HttpResponse.json(appleError("CAMPAIGN_NOT_FOUND", "Campaign not found"), { status: 404 }),
      ),
    );
    const operation: PlatformOperation = {
      type: "delete_campaign",
      campaign,
      platformCampaignId: CAMPAIGN_ID,
    };

    const retried = await appleAdapter().execute(operation, account, dispatchContext({ attempt: 2 }));
    const first = await appleAdapter().execute(operation, account, dispatchContext({ attempt: 1 }));

    expect(retried).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    expect(first).toMatchObject({ ok: false, kind: "rejected", platformCode: "CAMPAIGN_NOT_FOUND" });
  });
});

describe("Apple error classification", () => {
  const pause: PlatformOperation = { type: "pause_campaign", campaign, platformCampaignId: CAMPAIGN_ID };

  async function pauseAnswering(response: Response, attempt = 1) {
    server.use(http.put(`${BASE}/campaigns/${CAMPAIGN_ID}`, () => response));
    return appleAdapter().execute(pause, account, dispatchContext({ attempt }));
  }

  it("400 → rejected with the first messageCode", async () => {
    const result = await pauseAnswering(
      HttpResponse.json(
        {
          data: null,
          error: {
            errors: [
              {
                messageCode: "INVALID_ATTRIBUTE_TYPE",
                message: "status is invalid",
                field: "campaign.status",
              },
              { messageCode: "OTHER", message: "second", field: "x" },
            ],
          },
        },
        { status: 400 },
      ),
    );
    expect(result).toEqual({
      ok: false,
      kind: "rejected",
      message: "Apple Search Ads: status is invalid (campaign.status)",
      platformCode: "INVALID_ATTRIBUTE_TYPE",
    });
  });

  it("403 without a body → rejected with the HTTP status", async () => {
    const result = await pauseAnswering(new HttpResponse(null, { status: 403 }));
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "HTTP_403" });
  });

  it("429 with Retry-After → transient with that wait", async () => {
    const result = await pauseAnswering(
      HttpResponse.json(appleError("RATE_LIMIT_EXCEEDED", "Too many requests"), {
        status: 429,
        headers: { "Retry-After": "7" },
      }),
    );
    expect(result).toEqual({
      ok: false,
      kind: "transient",
      message: "Apple Search Ads: Too many requests",
      platformCode: "RATE_LIMIT_EXCEEDED",
      retryAfterMs: 7_000,
    });
  });

  it.each([
    [1, 2_000],
    [2, 4_000],
    [3, 8_000],
    [4, 16_000],
    [7, 16_000],
  ])("429 without Retry-After on attempt %i → exponential hint %i ms", async (attempt, retryAfterMs) => {
    const result = await pauseAnswering(new HttpResponse(null, { status: 429 }), attempt);
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "429", retryAfterMs });
  });

  it("500 → transient", async () => {
    const result = await pauseAnswering(
      HttpResponse.json(appleError("INTERNAL_ERROR", "Internal error"), { status: 500 }),
    );
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "INTERNAL_ERROR" });
  });

  it("network error → transient", async () => {
    const result = await pauseAnswering(HttpResponse.error());
    expect(result).toMatchObject({ ok: false, kind: "transient" });
    expect(result.ok === false && result.message).toMatch(/Could not reach Apple Search Ads/);
  });

  it("timeout → transient", async () => {
    server.use(
      http.put(`${BASE}/campaigns/${CAMPAIGN_ID}`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return HttpResponse.json(campaignData());
      }),
    );
    const result = await appleAdapter({ timeoutMs: 50 }).execute(pause, account, dispatchContext());
    expect(result).toEqual({
      ok: false,
      kind: "transient",
      message: "Apple Search Ads did not answer within 50 ms",
    });
  });

  it("without any credentials → rejected NOT_CONFIGURED", async () => {
    const result = await appleAdapter({ accessToken: undefined }).execute(pause, account, dispatchContext());
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "NOT_CONFIGURED" });
  });
});
