import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MetaAdapter, metaIdempotencyTag } from "../../src/platforms/meta";
import type { PlatformOperation } from "../../src/platforms/types";
import {
  adAccount,
  campaignSpec,
  dispatchContext,
  formFields,
  queryFields,
  RequestLog,
  urlWithoutQuery,
} from "./fixtures";

const BASE = "https://graph.test.example";
const TOKEN = "meta-test-token";
const CAMPAIGNS_URL = `${BASE}/v25.0/act_1234567890/campaigns`;
const CAMPAIGN_ID = "120210000000000001";
const CAMPAIGN_URL = `${BASE}/v25.0/${CAMPAIGN_ID}`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function metaAdapter(overrides: { accessToken?: string | undefined; timeoutMs?: number } = {}): MetaAdapter {
  return new MetaAdapter({
    apiBase: BASE,
    apiVersion: "v25.0",
    accessToken: "accessToken" in overrides ? overrides.accessToken : TOKEN,
    timeoutMs: overrides.timeoutMs ?? 2_000,
  });
}

const account = adAccount("meta");
const campaign = campaignSpec("meta");

function errorBody(error: Record<string, unknown>) {
  return { error: { message: "Something went wrong", type: "OAuthException", fbtrace_id: "AbC", ...error } };
}

describe("Meta create_campaign", () => {
  it("POSTs the campaign form to act_<id>/campaigns and returns Meta's id", async () => {
    const log = new RequestLog();
    server.use(
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: CAMPAIGN_ID });
      }),
    );
    const context = dispatchContext();
    const tag = await metaIdempotencyTag(context.idempotencyKey);

    const result = await metaAdapter().execute(
      {
        type: "create_campaign",
        campaign: { ...campaign, startTime: "2026-12-01T00:00:00Z", endTime: "2026-12-31T00:00:00Z" },
      },
      account,
      context,
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe(CAMPAIGNS_URL);
    expect(sent.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
    expect(formFields(sent.body), sent.body).toEqual({
      name: `Spring sale ${tag}`,
      objective: "OUTCOME_SALES",
      status: "ACTIVE",
      special_ad_categories: "[]",
      buying_type: "AUCTION",
      daily_budget: "12345",
      bid_strategy: "LOWEST_COST_WITHOUT_CAP",
      start_time: "2026-12-01T00:00:00Z",
      stop_time: "2026-12-31T00:00:00Z",
      access_token: TOKEN,
    });
    expect(tag).toMatch(/^\[lp:[0-9a-f]{12}\]$/);
  });

  it("sends a lifetime budget in the currency's Meta unit, the app as promoted object, special categories", async () => {
    const log = new RequestLog();
    server.use(
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: CAMPAIGN_ID });
      }),
    );
    const promotedObject = {
      application_id: "111222333",
      object_store_url: "https://apps.apple.com/app/id1234567890",
    };

    const result = await metaAdapter().execute(
      {
        type: "create_campaign",
        campaign: {
          ...campaign,
          outcome: "app_installs",
          dailyBudgetCents: null,
          lifetimeBudgetCents: 5_000_000,
          endTime: "2027-01-31T00:00:00Z",
          bidStrategy: { type: "COST_CAP" },
          platformSettings: {
            buyingType: "AUCTION",
            specialAdCategories: ["HOUSING"],
            specialAdCategoryCountry: ["JP"],
          },
        },
      },
      adAccount("meta", { currency: "JPY", settings: { promotedObject } }),
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const fields = formFields(log.only().body);
    expect(fields, log.only().body).toMatchObject({
      objective: "OUTCOME_APP_PROMOTION",
      lifetime_budget: "50000",
      bid_strategy: "COST_CAP",
      stop_time: "2027-01-31T00:00:00Z",
      special_ad_categories: '["HOUSING"]',
      special_ad_category_country: '["JP"]',
      promoted_object: JSON.stringify(promotedObject),
    });
    expect(fields).not.toHaveProperty("daily_budget");
  });

  it("without a campaign budget opts out of ad set budget sharing and sends no bid strategy", async () => {
    const log = new RequestLog();
    server.use(
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: CAMPAIGN_ID });
      }),
    );

    await metaAdapter().execute(
      { type: "create_campaign", campaign: { ...campaign, outcome: "traffic", dailyBudgetCents: null } },
      account,
      dispatchContext(),
    );

    const fields = formFields(log.only().body);
    expect(fields.objective).toBe("OUTCOME_TRAFFIC");
    expect(fields.is_adset_budget_sharing_enabled).toBe("false");
    expect(fields).not.toHaveProperty("bid_strategy");
    expect(fields).not.toHaveProperty("daily_budget");
  });

  it.each([
    ["engagement", "OUTCOME_ENGAGEMENT"],
    ["lead_generation", "OUTCOME_LEADS"],
  ] as const)("maps outcome %s to objective %s", async (outcome, objective) => {
    const log = new RequestLog();
    server.use(
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: CAMPAIGN_ID });
      }),
    );
    await metaAdapter().execute(
      { type: "create_campaign", campaign: { ...campaign, outcome } },
      account,
      dispatchContext(),
    );
    expect(formFields(log.only().body).objective).toBe(objective);
  });

  it("on a retry, adopts the campaign an earlier attempt created instead of creating another", async () => {
    const log = new RequestLog();
    const context = dispatchContext({ attempt: 2 });
    const tag = await metaIdempotencyTag(context.idempotencyKey);
    server.use(
      http.get(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [{ id: CAMPAIGN_ID, name: `Spring sale ${tag}` }], paging: {} });
      }),
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: "120219999999999999" });
      }),
    );

    const result = await metaAdapter().execute({ type: "create_campaign", campaign }, account, context);

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const lookup = log.only();
    expect(lookup.method).toBe("GET");
    expect(urlWithoutQuery(lookup.url)).toBe(CAMPAIGNS_URL);
    expect(queryFields(lookup.url)).toEqual({
      fields: "id,name",
      filtering: JSON.stringify([{ field: "name", operator: "CONTAIN", value: tag }]),
      limit: "25",
      access_token: TOKEN,
    });
  });

  it("on a retry with no earlier campaign (or only look-alikes), creates it", async () => {
    const log = new RequestLog();
    server.use(
      http.get(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({
          data: [{ id: "120218888888888888", name: "Spring sale [lp:000000000000]" }],
        });
      }),
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: CAMPAIGN_ID });
      }),
    );

    const result = await metaAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext({ attempt: 3 }),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    expect(log.requests.map((request) => request.method)).toEqual(["GET", "POST"]);
  });

  it("does not create when the retry's lookup fails", async () => {
    const log = new RequestLog();
    server.use(
      http.get(CAMPAIGNS_URL, () =>
        HttpResponse.json(errorBody({ code: 2, is_transient: true }), { status: 500 }),
      ),
      http.post(CAMPAIGNS_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: CAMPAIGN_ID });
      }),
    );

    const result = await metaAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext({ attempt: 2 }),
    );

    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "2" });
    expect(log.requests).toHaveLength(0);
  });

  it("treats a 2xx without an id as transient (the retry's lookup settles it)", async () => {
    server.use(http.post(CAMPAIGNS_URL, () => HttpResponse.json({})));
    const result = await metaAdapter().execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "transient" });
  });
});

describe("Meta campaign updates", () => {
  const cases: { name: string; operation: PlatformOperation; method: "POST" | "DELETE"; fields: object }[] = [
    {
      name: "update_budget (daily)",
      operation: {
        type: "update_budget",
        campaign,
        platformCampaignId: CAMPAIGN_ID,
        dailyBudgetCents: 50_000,
      },
      method: "POST",
      fields: { daily_budget: "50000", access_token: TOKEN },
    },
    {
      name: "update_budget (lifetime)",
      operation: {
        type: "update_budget",
        campaign,
        platformCampaignId: CAMPAIGN_ID,
        lifetimeBudgetCents: 900_000,
      },
      method: "POST",
      fields: { lifetime_budget: "900000", access_token: TOKEN },
    },
    {
      name: "pause_campaign",
      operation: { type: "pause_campaign", campaign, platformCampaignId: CAMPAIGN_ID },
      method: "POST",
      fields: { status: "PAUSED", access_token: TOKEN },
    },
    {
      name: "resume_campaign",
      operation: { type: "resume_campaign", campaign, platformCampaignId: CAMPAIGN_ID },
      method: "POST",
      fields: { status: "ACTIVE", access_token: TOKEN },
    },
  ];

  it.each(cases)("$name POSTs the change to /<campaign id>", async ({ operation, method, fields }) => {
    const log = new RequestLog();
    server.use(
      http.post(CAMPAIGN_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ success: true });
      }),
    );

    const result = await metaAdapter().execute(operation, account, dispatchContext());

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe(method);
    expect(sent.url).toBe(CAMPAIGN_URL);
    expect(formFields(sent.body), sent.body).toEqual(fields);
  });

  it("delete_campaign sends DELETE /<campaign id>", async () => {
    const log = new RequestLog();
    server.use(
      http.delete(CAMPAIGN_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ success: true });
      }),
    );

    const result = await metaAdapter().execute(
      { type: "delete_campaign", campaign, platformCampaignId: CAMPAIGN_ID },
      account,
      dispatchContext(),
    );

    expect(result).toEqual({ ok: true, platformCampaignId: CAMPAIGN_ID });
    const sent = log.only();
    expect(sent.method).toBe("DELETE");
    expect(urlWithoutQuery(sent.url)).toBe(CAMPAIGN_URL);
    expect(queryFields(sent.url)).toEqual({ access_token: TOKEN });
    expect(sent.body).toBe("");
  });

  it("refuses a budget update without any amount, sending nothing", async () => {
    const result = await metaAdapter().execute(
      { type: "update_budget", campaign, platformCampaignId: CAMPAIGN_ID },
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "INVALID_REQUEST" });
  });
});

describe("Meta error classification", () => {
  const pause: PlatformOperation = { type: "pause_campaign", campaign, platformCampaignId: CAMPAIGN_ID };

  async function pauseAnswering(response: Response) {
    server.use(http.post(CAMPAIGN_URL, () => response));
    return metaAdapter().execute(pause, account, dispatchContext());
  }

  it("invalid parameter (100 + subcode) → rejected with code/subcode", async () => {
    const result = await pauseAnswering(
      HttpResponse.json(
        errorBody({
          code: 100,
          error_subcode: 1487390,
          message: "Invalid parameter",
          error_user_msg: "The budget is too low.",
        }),
        { status: 400 },
      ),
    );
    expect(result).toEqual({
      ok: false,
      kind: "rejected",
      message: "The budget is too low.",
      platformCode: "100/1487390",
    });
  });

  it.each([
    [190, 463, "expired", "190/463"],
    [190, undefined, "expired", "190"],
    [190, 458, "revoked", "190/458"],
    [190, 460, "revoked", "190/460"],
    [102, undefined, "expired", "102"],
  ])("auth error %s/%s → auth failure, token %s", async (code, subcode, tokenStatus, platformCode) => {
    const result = await pauseAnswering(
      HttpResponse.json(errorBody({ code, error_subcode: subcode, message: "Session has expired" }), {
        status: 400,
      }),
    );
    expect(result).toMatchObject({ ok: false, kind: "auth", tokenStatus, platformCode });
    expect(result.ok === false && result.message).toMatch(/token/);
  });

  it("throttling (80004) → transient with the business-use-case wait in milliseconds", async () => {
    const usage = {
      "987654321": [
        {
          type: "ads_management",
          call_count: 100,
          total_cputime: 30,
          total_time: 40,
          estimated_time_to_regain_access: 5,
        },
      ],
    };
    const result = await pauseAnswering(
      HttpResponse.json(errorBody({ code: 80004, error_subcode: 2446079, message: "Too many calls" }), {
        status: 400,
        headers: { "X-Business-Use-Case-Usage": JSON.stringify(usage) },
      }),
    );
    expect(result).toEqual({
      ok: false,
      kind: "transient",
      message: "Too many calls",
      platformCode: "80004/2446079",
      retryAfterMs: 300_000,
    });
  });

  it.each([4, 17, 32, 341, 613, 80000, 80014])("throttling code %i → transient", async (code) => {
    const result = await pauseAnswering(HttpResponse.json(errorBody({ code }), { status: 400 }));
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: String(code) });
    expect(result).not.toHaveProperty("retryAfterMs");
  });

  it("throttling with only the ad account usage header → its reset time", async () => {
    const result = await pauseAnswering(
      HttpResponse.json(errorBody({ code: 17 }), {
        status: 400,
        headers: { "X-Ad-Account-Usage": JSON.stringify({ acc_id_util_pct: 100, reset_time_duration: 120 }) },
      }),
    );
    expect(result).toMatchObject({ ok: false, kind: "transient", retryAfterMs: 120_000 });
  });

  it.each([
    ["code 1", { code: 1 }, 500],
    ["code 2", { code: 2 }, 503],
    ["is_transient", { code: 100, is_transient: true }, 400],
  ] as const)("%s → transient", async (_label, error, status) => {
    const result = await pauseAnswering(HttpResponse.json(errorBody(error), { status }));
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: String(error.code) });
  });

  it("HTTP 5xx without a Graph error → transient", async () => {
    const result = await pauseAnswering(new HttpResponse("<html>Bad gateway</html>", { status: 502 }));
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "502" });
  });

  it("HTTP 5xx with an unknown Graph code → transient", async () => {
    const result = await pauseAnswering(HttpResponse.json(errorBody({ code: 999 }), { status: 500 }));
    expect(result).toMatchObject({ ok: false, kind: "transient", platformCode: "999" });
  });

  it("other 4xx without a Graph error → rejected", async () => {
    const result = await pauseAnswering(new HttpResponse("nope", { status: 404 }));
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "HTTP_404" });
  });

  it("an error body on HTTP 200 is still an error", async () => {
    const result = await pauseAnswering(HttpResponse.json(errorBody({ code: 100 }), { status: 200 }));
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "100" });
  });

  it("network error → transient", async () => {
    server.use(http.post(CAMPAIGN_URL, () => HttpResponse.error()));
    const result = await metaAdapter().execute(pause, account, dispatchContext());
    expect(result).toMatchObject({ ok: false, kind: "transient" });
    expect(result.ok === false && result.message).toMatch(/Could not reach Meta/);
  });

  it("timeout → transient", async () => {
    server.use(
      http.post(CAMPAIGN_URL, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        return HttpResponse.json({ success: true });
      }),
    );
    const result = await metaAdapter({ timeoutMs: 50 }).execute(pause, account, dispatchContext());
    expect(result).toEqual({ ok: false, kind: "transient", message: "Meta did not answer within 50 ms" });
  });
});

describe("Meta configuration and local refusals", () => {
  it("without an access token → rejected NOT_CONFIGURED, nothing sent", async () => {
    const result = await metaAdapter({ accessToken: undefined }).execute(
      { type: "create_campaign", campaign },
      account,
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "NOT_CONFIGURED" });
  });

  it("a fractional yen budget → rejected INVALID_AMOUNT, nothing sent", async () => {
    const result = await metaAdapter().execute(
      { type: "create_campaign", campaign: { ...campaign, dailyBudgetCents: 250_050 } },
      adAccount("meta", { currency: "JPY" }),
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "INVALID_AMOUNT" });
  });

  it("accepts a version configured without the leading v", async () => {
    const log = new RequestLog();
    server.use(
      http.post(CAMPAIGN_URL, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ success: true });
      }),
    );
    const adapter = new MetaAdapter({
      apiBase: `${BASE}/`,
      apiVersion: "25.0",
      accessToken: TOKEN,
      timeoutMs: 2_000,
    });
    const result = await adapter.execute(
      { type: "pause_campaign", campaign, platformCampaignId: CAMPAIGN_ID },
      account,
      dispatchContext(),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(log.only().url).toBe(CAMPAIGN_URL);
  });
});
