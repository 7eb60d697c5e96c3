/** The ad set reads: the project's list with its filters and pages, one ad set, the campaign's budgetLevel. */
import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

interface Adset {
  adsetId: string;
  campaignId: string;
  platform: string;
  status: string;
  platformAdsetId: string | null;
  targeting: Record<string, unknown>;
  schedule: { startTime: string | null; endTime: string | null; dayparts: unknown[] };
}
interface Page {
  items: Adset[];
  nextCursor: string | null;
}

let t: TestTenant;
const campaigns: Record<string, string> = {};

async function list(query: string): Promise<Page> {
  for (let i = 0; i < 60; i++) {
    const res = await api<Page>("GET", `/v1/projects/${t.projectId}/ads/adsets?${query}`, {
      key: t.keys.readOnly,
    });
    expect(res.status, res.text).toBe(200);
    if (res.body.items.every((a) => a.platformAdsetId !== null)) return res.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("ad sets did not settle");
}

beforeAll(async () => {
  t = await createTenant();
  for (const platform of ["meta", "tiktok", "apple"] as const) {
    campaigns[platform] = (await createCampaign(t, platform)).campaignId;
  }
});

describe("GET /v1/projects/:projectId/ads/adsets", () => {
  it("lists each campaign's default ad set, filtered by campaign, platform and status", async () => {
    const byCampaign = await list(`campaignId=${campaigns.tiktok}`);
    expect(byCampaign.items.map((a) => a.campaignId)).toEqual([campaigns.tiktok]);
    expect(byCampaign.nextCursor).toBeNull();
    const metaApple = await list("platforms=meta,apple");
    expect(metaApple.items.map((a) => a.platform).sort()).toEqual(["apple", "meta"]);
    expect((await list("status=active")).items).toHaveLength(3);
    expect((await list("status=paused")).items).toHaveLength(0);
    expect((await list(`adAccountId=${t.adAccounts.apple}`)).items.map((a) => a.platform)).toEqual(["apple"]);
  });

  it("pages with nextCursor, newest first, without repeats", async () => {
    const first = await list("limit=2");
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`limit=2&cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((a) => a.campaignId);
    expect(ids).toEqual([campaigns.apple, campaigns.tiktok, campaigns.meta]);
  });

  it("answers 422 for a limit out of range and an unknown status", async () => {
    for (const q of ["limit=0", "limit=201", "status=running"]) {
      expectError(
        await api("GET", `/v1/projects/${t.projectId}/ads/adsets?${q}`, { key: t.keys.readOnly }),
        422,
        "VALIDATION",
      );
    }
  });
});

describe("GET /v1/projects/:projectId/ads/:platform/adsets/:adsetId", () => {
  it("reads the ad set from its campaign's object, with the campaign read's targeting", async () => {
    const [listed] = (await list(`campaignId=${campaigns.meta}`)).items;
    const res = await api<Adset & Record<string, unknown>>(
      "GET",
      `/v1/projects/${t.projectId}/ads/meta/adsets/${listed?.adsetId}`,
      { key: t.keys.readOnly },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      adsetId: listed?.adsetId,
      campaignId: campaigns.meta,
      platform: "meta",
      status: "active",
      optimizationGoal: "OFFSITE_CONVERSIONS",
      billingEvent: "IMPRESSIONS",
      bidStrategy: { type: "LOWEST_COST_WITHOUT_CAP" },
      dailyBudgetCents: null,
      lifetimeBudgetCents: null,
      platformAdsetId: listed?.platformAdsetId,
    });
    const campaign = await api<{ targeting: unknown; startTime: string; budgetLevel: string }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/meta/campaigns/${campaigns.meta}`,
      { key: t.keys.readOnly },
    );
    expect(res.body.targeting).toEqual(campaign.body.targeting);
    expect(res.body.schedule).toEqual({ startTime: campaign.body.startTime, endTime: null, dayparts: [] });
    expect(campaign.body.budgetLevel).toBe("campaign");
  });

  it("answers 404 on another platform, for a malformed id and for an unknown one", async () => {
    const [listed] = (await list(`campaignId=${campaigns.meta}`)).items;
    const base = `/v1/projects/${t.projectId}/ads`;
    for (const path of [
      `${base}/tiktok/adsets/${listed?.adsetId}`,
      `${base}/meta/adsets/not-an-id`,
      `${base}/meta/adsets/adg_01JD2V4W3X5Y6Z7A8B9C0D1E2F`,
    ]) {
      expectError(await api("GET", path, { key: t.keys.readOnly }), 404, "NOT_FOUND");
    }
  });
});
