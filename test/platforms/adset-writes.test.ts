/**
 * The adapters' requests for another ad set (and a retried one that must not make a second),
 * an ad set's schedule and dayparts, and the campaign-level schedule and bid strategy on each
 * platform; msw asserts the exact outbound requests.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AdsetSpec } from "../../src/domain/adset-model";
import { AppleAdapter } from "../../src/platforms/apple";
import { MetaAdapter } from "../../src/platforms/meta";
import { metaAdsetTag } from "../../src/platforms/meta-adsets";
import { TikTokAdapter } from "../../src/platforms/tiktok";
import { tiktokDayparting } from "../../src/platforms/tiktok-adsets";
import type { PlatformOperation } from "../../src/platforms/types";
import { adAccount, campaignSpec, dispatchContext, formFields, RequestLog } from "./fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const GRAPH = "https://graph.test.example/v25.0";
const TIKTOK = "https://tiktok.test.example/open_api/v1.3";
const APPLE = "https://apple.test.example/api/v5";

const meta = new MetaAdapter({
  apiBase: "https://graph.test.example",
  apiVersion: "v25.0",
  accessToken: "tok",
  timeoutMs: 2000,
});
const tiktok = new TikTokAdapter({ apiBase: TIKTOK, accessToken: "tok", timeoutMs: 2000 });
const apple = new AppleAdapter({ apiBase: APPLE, accessToken: "tok", oauth: undefined, timeoutMs: 2000 });

const tiktokOk = (data: Record<string, unknown> = {}) =>
  HttpResponse.json({ code: 0, message: "OK", request_id: "r", data });

function adsetSpec(overrides: Partial<AdsetSpec> = {}): AdsetSpec {
  return {
    adsetId: "adg_01JD0000000000000000000009",
    name: "Second",
    optimizationGoal: "OFFSITE_CONVERSIONS",
    billingEvent: "IMPRESSIONS",
    bidStrategy: { type: "LOWEST_COST_WITHOUT_CAP" },
    dailyBudgetCents: null,
    lifetimeBudgetCents: null,
    targeting: { countries: ["US"], ageMin: 18, ageMax: 65 },
    schedule: { startTime: "2030-01-01T00:00:00.000Z", endTime: null },
    promotedObject: null,
    ...overrides,
  };
}

const createOp = (platform: "meta" | "apple", adset = adsetSpec()): PlatformOperation => ({
  type: "create_adset",
  campaign: campaignSpec(platform),
  platformCampaignId: "111",
  adset,
});

describe("create_adset retried after a lost answer", () => {
  it("Meta: the name carries the [lp:…] tag; a retry adopts the tagged ad set instead of creating one", async () => {
    const log = new RequestLog();
    const context = dispatchContext({ attempt: 2 });
    const tag = await metaAdsetTag(context.idempotencyKey, "adg_01JD0000000000000000000009");
    server.use(
      http.get(`${GRAPH}/111/adsets`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [{ id: "999", name: `Second ${tag}` }] });
      }),
      http.post(`${GRAPH}/act_1234567890/adsets`, () => HttpResponse.json({ id: "never" })),
    );
    const result = await meta.execute(createOp("meta"), adAccount("meta"), context);
    expect(result).toEqual({ ok: true, platformCampaignId: "111", platformAdsetId: "999" });
    const lookup = new URL(log.only().url).searchParams;
    expect(JSON.parse(lookup.get("filtering") ?? "")).toEqual([
      { field: "name", operator: "CONTAIN", value: tag },
    ]);
  });

  it("Meta: a retry that finds nothing creates it once, tagged; a first attempt does not look", async () => {
    const log = new RequestLog();
    server.use(
      http.get(`${GRAPH}/111/adsets`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [{ id: "5", name: "Someone else's [lp:000000000000]" }] });
      }),
      http.post(`${GRAPH}/act_1234567890/adsets`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ id: "777" });
      }),
    );
    const first = await meta.execute(createOp("meta"), adAccount("meta"), dispatchContext());
    expect(first).toMatchObject({ ok: true, platformAdsetId: "777" });
    expect(log.requests.map((r) => r.method)).toEqual(["POST"]);
    const retried = await meta.execute(createOp("meta"), adAccount("meta"), dispatchContext({ attempt: 3 }));
    expect(retried).toMatchObject({ ok: true, platformAdsetId: "777" });
    expect(log.requests.map((r) => r.method)).toEqual(["POST", "GET", "POST"]);
    const tag = await metaAdsetTag(dispatchContext().idempotencyKey, "adg_01JD0000000000000000000009");
    expect(formFields(log.at(2).body).name).toBe(`Second ${tag}`);
  });

  it("Apple: a retry finds the ad group by name before creating it", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${APPLE}/campaigns/111/adgroups/find`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [{ id: 4242, name: "Second" }], pagination: {} });
      }),
      http.post(`${APPLE}/campaigns/111/adgroups`, () => HttpResponse.json({ data: { id: 1 } })),
    );
    const op = createOp("apple", adsetSpec({ bidStrategy: { type: "MANUAL_CPT", defaultBidCents: 150 } }));
    const result = await apple.execute(op, adAccount("apple"), dispatchContext({ attempt: 2 }));
    expect(result).toEqual({ ok: true, platformCampaignId: "111", platformAdsetId: "4242" });
    expect(JSON.parse(log.only().body)).toEqual({
      conditions: [{ field: "name", operator: "EQUALS", values: ["Second"] }],
      pagination: { offset: 0, limit: 10 },
    });
  });

  it("Apple: nothing by that name, so it creates the ad group (with its dayparts)", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${APPLE}/campaigns/111/adgroups/find`, () =>
        HttpResponse.json({ data: [], pagination: {} }),
      ),
      http.post(`${APPLE}/campaigns/111/adgroups`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: { id: 5151 } });
      }),
    );
    const schedule = {
      startTime: "2030-01-01T00:00:00.000Z",
      endTime: null,
      dayparts: [{ dayOfWeek: 1, startMinute: 540, endMinute: 660 }],
    };
    const op = createOp("apple", adsetSpec({ schedule, targeting: { countries: ["US"] } }));
    const result = await apple.execute(op, adAccount("apple"), dispatchContext({ attempt: 2 }));
    expect(result).toMatchObject({ ok: true, platformAdsetId: "5151" });
    expect(JSON.parse(log.only().body).targetingDimensions).toEqual({
      daypart: { userTime: { included: [33, 34] } },
    });
  });
});

describe("update_adset_schedule", () => {
  const schedule = {
    startTime: "2030-01-01T00:00:00.000Z",
    endTime: "2030-02-01T00:00:00.000Z",
    dayparts: [{ dayOfWeek: 0, startMinute: 0, endMinute: 60 }],
  };
  const op = (platform: "meta" | "tiktok" | "apple", adset = adsetSpec({ schedule })): PlatformOperation => ({
    type: "update_adset_schedule",
    campaign: campaignSpec(platform),
    platformCampaignId: "111",
    platformAdsetId: "222",
    adset,
    schedule,
  });

  it("Meta: POST /{adset_id} with times, adset_schedule and day_parting pacing", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${GRAPH}/222`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ success: true });
      }),
    );
    const result = await meta.execute(
      op("meta", adsetSpec({ schedule, lifetimeBudgetCents: 100_000 })),
      adAccount("meta"),
      dispatchContext(),
    );
    expect(result).toEqual({ ok: true, platformCampaignId: "111", platformAdsetId: "222" });
    expect(formFields(log.only().body)).toEqual({
      start_time: "2030-01-01T00:00:00.000Z",
      end_time: "2030-02-01T00:00:00.000Z",
      adset_schedule: JSON.stringify([{ start_minute: 0, end_minute: 60, days: [0], timezone_type: "USER" }]),
      pacing_type: JSON.stringify(["day_parting"]),
      access_token: "tok",
    });
  });

  it("TikTok: POST /adgroup/update/ with the schedule and the 336-slot dayparting from Monday", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post(`${TIKTOK}/adgroup/update/`, async ({ request }) => {
        bodies.push(await request.json());
        return tiktokOk();
      }),
    );
    const account = adAccount("tiktok");
    expect(await tiktok.execute(op("tiktok"), account, dispatchContext())).toMatchObject({ ok: true });
    // Sunday 00:00–01:00 is slots 288 and 289 when Monday 00:00 is slot 0.
    const expected = `${"0".repeat(288)}11${"0".repeat(46)}`;
    expect(bodies).toEqual([
      {
        advertiser_id: account.externalId,
        adgroup_id: "222",
        schedule_type: "SCHEDULE_START_END",
        schedule_start_time: "2030-01-01 00:00:00",
        schedule_end_time: "2030-02-01 00:00:00",
        dayparting: expected,
      },
    ]);
    expect(tiktokDayparting({ startTime: null, endTime: null })).toBe("1".repeat(336));
  });

  it("Apple: PUT the bare ad group with its end and the daypart among its dimensions", async () => {
    const log = new RequestLog();
    server.use(
      http.put(`${APPLE}/campaigns/111/adgroups/222`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: { id: 222 } });
      }),
    );
    const adset = adsetSpec({ schedule, targeting: { countries: ["US"], ageMin: 25 } });
    expect(await apple.execute(op("apple", adset), adAccount("apple"), dispatchContext())).toMatchObject({
      ok: true,
    });
    expect(JSON.parse(log.only().body)).toEqual({
      startTime: "2030-01-01T00:00:00.000",
      endTime: "2030-02-01T00:00:00.000",
      targetingDimensions: { daypart: { userTime: { included: [0] } }, age: { included: [{ minAge: 25 }] } },
    });
  });
});

describe("campaign-level schedule and bid strategy", () => {
  const scheduleOp = (platform: "meta" | "tiktok" | "apple"): PlatformOperation => ({
    type: "update_campaign_schedule",
    campaign: campaignSpec(platform),
    platformCampaignId: "111",
    startTime: "2030-01-01T00:00:00.000Z",
    endTime: "2030-03-01T00:00:00.000Z",
    adsets: [
      {
        platformAdsetId: "222",
        schedule: { startTime: "2030-01-01T00:00:00.000Z", endTime: "2030-03-01T00:00:00.000Z" },
      },
      {
        platformAdsetId: "333",
        schedule: { startTime: "2030-01-01T00:00:00.000Z", endTime: "2030-03-01T00:00:00.000Z" },
      },
    ],
  });
  const bidOp = (
    platform: "meta" | "tiktok" | "apple",
    bidStrategy: Record<string, unknown>,
    budgetLevel: "campaign" | "adset" = "campaign",
  ): PlatformOperation => ({
    type: "update_bid_strategy",
    campaign: campaignSpec(platform),
    platformCampaignId: "111",
    bidStrategy,
    budgetLevel,
    adsets: [
      { platformAdsetId: "222", billingEvent: "OCPM" },
      { platformAdsetId: "333", billingEvent: "CPC" },
    ],
  });

  it("Meta: the schedule is the campaign's start_time / stop_time", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${GRAPH}/111`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ success: true });
      }),
    );
    expect(await meta.execute(scheduleOp("meta"), adAccount("meta"), dispatchContext())).toMatchObject({
      ok: true,
    });
    expect(formFields(log.only().body)).toEqual({
      start_time: "2030-01-01T00:00:00.000Z",
      stop_time: "2030-03-01T00:00:00.000Z",
      access_token: "tok",
    });
  });

  it("TikTok: the schedule goes to every ad group, the bid too", async () => {
    const bodies: Record<string, unknown>[] = [];
    server.use(
      http.post(`${TIKTOK}/adgroup/update/`, async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return tiktokOk();
      }),
    );
    const account = adAccount("tiktok");
    expect(await tiktok.execute(scheduleOp("tiktok"), account, dispatchContext())).toMatchObject({
      ok: true,
    });
    expect(bodies.map((b) => [b.adgroup_id, b.schedule_type, b.schedule_end_time])).toEqual([
      ["222", "SCHEDULE_START_END", "2030-03-01 00:00:00"],
      ["333", "SCHEDULE_START_END", "2030-03-01 00:00:00"],
    ]);
    bodies.length = 0;
    const bid = bidOp("tiktok", { type: "BID_TYPE_CUSTOM", bidAmountCents: 150 });
    expect(await tiktok.execute(bid, account, dispatchContext())).toMatchObject({ ok: true });
    expect(bodies).toEqual([
      {
        advertiser_id: account.externalId,
        adgroup_id: "222",
        bid_type: "BID_TYPE_CUSTOM",
        conversion_bid_price: 1.5,
      },
      { advertiser_id: account.externalId, adgroup_id: "333", bid_type: "BID_TYPE_CUSTOM", bid_price: 1.5 },
    ]);
  });

  it("Meta: under a campaign budget the strategy goes to the campaign, a cap's amount to each ad set", async () => {
    const log = new RequestLog();
    for (const id of ["111", "222", "333"]) {
      server.use(
        http.post(`${GRAPH}/${id}`, async ({ request }) => {
          await log.record(request);
          return HttpResponse.json({ success: true });
        }),
      );
    }
    const op = bidOp("meta", { type: "COST_CAP", bidAmountCents: 250 });
    expect(await meta.execute(op, adAccount("meta"), dispatchContext())).toMatchObject({ ok: true });
    expect(log.requests.map((r) => [new URL(r.url).pathname, formFields(r.body)])).toEqual([
      ["/v25.0/111", { bid_strategy: "COST_CAP", access_token: "tok" }],
      ["/v25.0/222", { bid_amount: "250", access_token: "tok" }],
      ["/v25.0/333", { bid_amount: "250", access_token: "tok" }],
    ]);
  });

  it("Meta: with ad set budgets every ad set takes the strategy", async () => {
    const log = new RequestLog();
    for (const id of ["222", "333"]) {
      server.use(
        http.post(`${GRAPH}/${id}`, async ({ request }) => {
          await log.record(request);
          return HttpResponse.json({ success: true });
        }),
      );
    }
    const op = bidOp("meta", { type: "LOWEST_COST_WITH_MIN_ROAS", roasFloor: 1.5 }, "adset");
    expect(await meta.execute(op, adAccount("meta"), dispatchContext())).toMatchObject({ ok: true });
    expect(log.requests.map((r) => formFields(r.body))).toEqual([
      {
        bid_strategy: "LOWEST_COST_WITH_MIN_ROAS",
        bid_constraints: '{"roas_average_floor":15000}',
        access_token: "tok",
      },
      {
        bid_strategy: "LOWEST_COST_WITH_MIN_ROAS",
        bid_constraints: '{"roas_average_floor":15000}',
        access_token: "tok",
      },
    ]);
  });

  it("Apple: both are fields of the campaign (PUT /campaigns/{id} with the envelope)", async () => {
    const log = new RequestLog();
    server.use(
      http.put(`${APPLE}/campaigns/111`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: { id: 111 } });
      }),
    );
    const account = adAccount("apple");
    expect(await apple.execute(scheduleOp("apple"), account, dispatchContext())).toMatchObject({ ok: true });
    const bid = bidOp("apple", { type: "MAX_CONVERSIONS", targetCpaCents: 300 });
    expect(await apple.execute(bid, account, dispatchContext())).toMatchObject({ ok: true });
    expect(log.requests.map((r) => JSON.parse(r.body))).toEqual([
      { campaign: { startTime: "2030-01-01T00:00:00.000", endTime: "2030-03-01T00:00:00.000" } },
      { campaign: { biddingStrategy: "MAX_CONVERSIONS", targetCpa: { amount: "3.00", currency: "USD" } } },
    ]);
  });
});
