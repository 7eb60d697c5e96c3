/**
 * The tactical schedule and bid writes: PATCH …/adsets/:adsetId/schedule (dates and dayparts),
 * PATCH …/campaigns/:campaignId/schedule and …/bid-strategy, each in auto, draft and off, with
 * each platform's limits as 422 before the gate.
 */
import { describe, expect, it } from "vitest";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  type Accepted,
  campaignPath,
  findPending,
  liveCampaign,
  PENDING_ID,
  readCampaign,
  setAuthority,
} from "../writes/fixtures";
import { defaultAdsetId, readAdset } from "./fixtures";

const END = "2031-06-01T00:00:00.000Z";

async function setup(platform: SeedPlatform, mode: "auto" | "draft" | "off", body?: Record<string, unknown>) {
  const t = await createTenant();
  const campaignId = await liveCampaign(t, { platform, ...(body ? { body } : {}) });
  if (mode !== "auto") await setAuthority(t, campaignId, { tactical: mode }, platform);
  return { t, campaignId, adsetId: await defaultAdsetId(t, campaignId) };
}

const patch = (t: TestTenant, path: string, body: unknown) =>
  api<Accepted>("PATCH", path, { key: t.keys.partner, body });
const adsetPath = (t: TestTenant, platform: SeedPlatform, adsetId: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}`;

describe("PATCH …/adsets/:adsetId/schedule", () => {
  it("auto (TikTok): the dates and half-hour dayparts land on the ad set", async () => {
    const { t, adsetId } = await setup("tiktok", "auto");
    const dayparts = [{ dayOfWeek: 1, startMinute: 540, endMinute: 1050 }];
    const res = await patch(t, `${adsetPath(t, "tiktok", adsetId)}/schedule`, { endTime: END, dayparts });
    expect(res.status, res.text).toBe(202);
    expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({
      status: "completed",
      kind: "ads_update_schedule",
    });
    const adset = await readAdset(t, "tiktok", adsetId);
    expect(adset.schedule).toMatchObject({ endTime: END, dayparts });
  });

  it("draft: a pending action on the ad set with its current and new schedule", async () => {
    const { t, adsetId } = await setup("apple", "draft");
    const before = await readAdset(t, "apple", adsetId);
    const body = { dayparts: [{ dayOfWeek: 6, startMinute: 600, endMinute: 720 }] };
    const res = await patch(t, `${adsetPath(t, "apple", adsetId)}/schedule`, body);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    expect(await findPending(t, res.body.pendingId as string, "pending", "apple")).toMatchObject({
      actionType: "update_schedule",
      entityType: "adset",
      entityId: adsetId,
      currentValue: { startTime: before.schedule.startTime, endTime: null, dayparts: [] },
      newValue: body,
    });
    expect((await readAdset(t, "apple", adsetId)).schedule.dayparts).toEqual([]);
  });

  it("off: denied with its verdict", async () => {
    const { t, adsetId } = await setup("meta", "off");
    const res = await patch(t, `${adsetPath(t, "meta", adsetId)}/schedule`, { endTime: END });
    expectError(res, 403, "AUTHORITY_DENIED");
    expect(res.text).toContain('"axis":"tactical"');
  });

  it("answers 422 for what a platform cannot schedule, or a schedule that contradicts itself", async () => {
    const tt = await setup("tiktok", "auto");
    const path = `${adsetPath(tt.t, "tiktok", tt.adsetId)}/schedule`;
    const bad: unknown[] = [
      { dayparts: [{ dayOfWeek: 1, startMinute: 540, endMinute: 555 }] },
      {
        dayparts: [
          { dayOfWeek: 2, startMinute: 0, endMinute: 600 },
          { dayOfWeek: 2, startMinute: 540, endMinute: 720 },
        ],
      },
      { dayparts: [{ dayOfWeek: 3, startMinute: 600, endMinute: 600 }] },
      { dayparts: [{ dayOfWeek: 7, startMinute: 0, endMinute: 60 }] },
      { startTime: "2031-06-02T00:00:00Z", endTime: "2031-06-01T00:00:00Z" },
      { endTime: "2020-01-01T00:00:00Z" },
      {},
    ];
    for (const body of bad) expectError(await patch(tt.t, path, body), 422, "VALIDATION");
    // Meta dayparts need the ad set's own lifetime budget: this one's budget is the campaign's.
    const meta = await setup("meta", "auto");
    const metaPath = `${adsetPath(meta.t, "meta", meta.adsetId)}/schedule`;
    const res = await patch(meta.t, metaPath, {
      dayparts: [{ dayOfWeek: 1, startMinute: 540, endMinute: 600 }],
    });
    expectError(res, 422, "VALIDATION");
    expect(res.text).toContain("lifetime budget");
  });

  it("Meta: an ad set with its own lifetime budget takes whole-hour dayparts", async () => {
    const { t, adsetId } = await setup("meta", "auto", {
      budgetLevel: "adset",
      dailyBudgetCents: undefined,
      lifetimeBudgetCents: 100_000,
      endTime: END,
    });
    const dayparts = [{ dayOfWeek: 0, startMinute: 480, endMinute: 1200 }];
    const res = await patch(t, `${adsetPath(t, "meta", adsetId)}/schedule`, { dayparts });
    expect(res.status, res.text).toBe(202);
    expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({ status: "completed" });
    expect((await readAdset(t, "meta", adsetId)).schedule.dayparts).toEqual(dayparts);
  });
});

describe("PATCH …/campaigns/:campaignId/schedule", () => {
  it("auto: Meta changes the campaign's dates, TikTok its ad groups' too", async () => {
    for (const platform of ["meta", "tiktok"] as const) {
      const { t, campaignId, adsetId } = await setup(platform, "auto");
      const res = await patch(t, `${campaignPath(t, campaignId, platform)}/schedule`, { endTime: END });
      expect(res.status, res.text).toBe(202);
      expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({ status: "completed" });
      expect((await readCampaign(t, campaignId, platform)) as unknown).toMatchObject({ endTime: END });
      const adset = await readAdset(t, platform, adsetId);
      expect(adset.schedule.endTime).toBe(platform === "tiktok" ? END : null);
      // Meta ends can be moved, not removed; TikTok's can.
      const cleared = await patch(t, `${campaignPath(t, campaignId, platform)}/schedule`, { endTime: null });
      if (platform === "meta") expectError(cleared, 422, "VALIDATION");
      else expect(cleared.status, cleared.text).toBe(202);
    }
  });

  it("draft queues it with the campaign's current dates; off denies; 422 on contradictions", async () => {
    const draft = await setup("apple", "draft");
    const campaign = (await readCampaign(draft.t, draft.campaignId, "apple")) as unknown as {
      startTime: string;
    };
    const res = await patch(draft.t, `${campaignPath(draft.t, draft.campaignId, "apple")}/schedule`, {
      endTime: END,
    });
    expect(res.body.pendingId).toMatch(PENDING_ID);
    expect(await findPending(draft.t, res.body.pendingId as string, "pending", "apple")).toMatchObject({
      actionType: "update_schedule",
      entityType: "campaign",
      currentValue: { startTime: campaign.startTime, endTime: null },
      newValue: { endTime: END },
    });
    const off = await setup("meta", "off");
    expectError(
      await patch(off.t, `${campaignPath(off.t, off.campaignId)}/schedule`, { endTime: END }),
      403,
      "AUTHORITY_DENIED",
    );
    const path = `${campaignPath(draft.t, draft.campaignId, "apple")}/schedule`;
    expectError(await patch(draft.t, path, { endTime: "2020-01-01T00:00:00Z" }), 422, "VALIDATION");
    expectError(await patch(draft.t, path, { dayparts: [] }), 422, "VALIDATION");
  });
});

describe("PATCH …/campaigns/:campaignId/bid-strategy", () => {
  it("auto: the campaign and its ad sets show the new strategy", async () => {
    const { t, campaignId, adsetId } = await setup("meta", "auto");
    const bid = { type: "COST_CAP", bidAmountCents: 500 };
    const res = await patch(t, `${campaignPath(t, campaignId)}/bid-strategy`, bid);
    expect(res.status, res.text).toBe(202);
    expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({
      status: "completed",
      kind: "ads_update_bid_strategy",
    });
    expect(((await readCampaign(t, campaignId)) as unknown as { bidStrategy: unknown }).bidStrategy).toEqual(
      bid,
    );
    expect((await readAdset(t, "meta", adsetId)).bidStrategy).toEqual(bid);
  });

  it("draft queues it with the current strategy; off denies; 422 for another platform's strategy", async () => {
    const draft = await setup("tiktok", "draft");
    const bid = { type: "BID_TYPE_CUSTOM", bidAmountCents: 120 };
    const path = `${campaignPath(draft.t, draft.campaignId, "tiktok")}/bid-strategy`;
    const res = await patch(draft.t, path, bid);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    expect(await findPending(draft.t, res.body.pendingId as string, "pending", "tiktok")).toMatchObject({
      actionType: "update_bid_strategy",
      entityType: "campaign",
      currentValue: { type: "BID_TYPE_NO_BID" },
      newValue: bid,
    });
    expectError(await patch(draft.t, path, { type: "COST_CAP", bidAmountCents: 5 }), 422, "VALIDATION");
    expectError(await patch(draft.t, path, { type: "BID_TYPE_CUSTOM" }), 422, "VALIDATION");
    const off = await setup("apple", "off");
    const offPath = `${campaignPath(off.t, off.campaignId, "apple")}/bid-strategy`;
    expectError(
      await patch(off.t, offPath, { type: "MAX_CONVERSIONS", targetCpaCents: 300 }),
      403,
      "AUTHORITY_DENIED",
    );
  });
});
