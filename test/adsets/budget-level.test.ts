/**
 * `budgetLevel: "adset"` on create: the campaign carries no budget, its default ad set does,
 * and PATCH …/adsets/:adsetId/budget is accepted (auto, draft, off) while the campaign's own
 * budget write answers 422; further ad sets must bring their budget.
 */

import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { createCampaign, waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import {
  type Accepted,
  campaignPath,
  findPending,
  liveCampaign,
  PENDING_ID,
  readCampaign,
  setAuthority,
} from "../writes/fixtures";
import { createAdset, defaultAdsetId, readAdset } from "./fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function setup(platform: SeedPlatform, mode: "auto" | "draft" | "off") {
  const t = await createTenant();
  const campaignId = await liveCampaign(t, {
    platform,
    body: { budgetLevel: "adset", dailyBudgetCents: 6000 },
  });
  if (mode !== "auto") await setAuthority(t, campaignId, { tactical: mode }, platform);
  return { t, campaignId, adsetId: await defaultAdsetId(t, campaignId) };
}

const patchBudget = (
  t: Awaited<ReturnType<typeof setup>>["t"],
  platform: SeedPlatform,
  adsetId: string,
  cents: number,
) =>
  api<Accepted>("PATCH", `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}/budget`, {
    key: t.keys.partner,
    body: { dailyBudgetCents: cents },
  });

describe("budgetLevel adset", () => {
  it("the campaign reads budgetLevel adset with no budget; the default ad set holds it", async () => {
    const { t, campaignId, adsetId } = await setup("meta", "auto");
    const campaign = (await readCampaign(t, campaignId)) as unknown as Record<string, unknown>;
    expect(campaign).toMatchObject({
      budgetLevel: "adset",
      dailyBudgetCents: null,
      lifetimeBudgetCents: null,
    });
    expect(await readAdset(t, "meta", adsetId)).toMatchObject({ dailyBudgetCents: 6000, status: "active" });
    const res = await api("PATCH", `${campaignPath(t, campaignId)}/budget`, {
      key: t.keys.partner,
      body: { dailyBudgetCents: 7000 },
    });
    expectError(res, 422, "VALIDATION");
    expect(res.text).toContain("ad sets");
  });

  for (const platform of ["meta", "tiktok"] as const) {
    it(`${platform} auto: PATCH …/adsets/:id/budget dispatches and the ad set takes it`, async () => {
      const { t, adsetId } = await setup(platform, "auto");
      const res = await patchBudget(t, platform, adsetId, 9000);
      expect(res.status, res.text).toBe(202);
      expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({
        status: "completed",
        kind: "ads_update_budget",
      });
      expect((await readAdset(t, platform, adsetId)).dailyBudgetCents).toBe(9000);
    });
  }

  it("draft: a pending update_budget on the ad set with its current and new budget", async () => {
    const { t, adsetId } = await setup("meta", "draft");
    const res = await patchBudget(t, "meta", adsetId, 8000);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    expect(await findPending(t, res.body.pendingId as string, "pending")).toMatchObject({
      actionType: "update_budget",
      entityType: "adset",
      entityId: adsetId,
      currentValue: { dailyBudgetCents: 6000 },
      newValue: { dailyBudgetCents: 8000 },
    });
    expect((await readAdset(t, "meta", adsetId)).dailyBudgetCents).toBe(6000);
  });

  it("off: denied with its verdict, the budget unchanged", async () => {
    const { t, adsetId } = await setup("tiktok", "off");
    expectError(await patchBudget(t, "tiktok", adsetId, 8000), 403, "AUTHORITY_DENIED");
    expect((await readAdset(t, "tiktok", adsetId)).dailyBudgetCents).toBe(6000);
  });

  it("another ad set must bring a budget; Apple refuses budgetLevel adset", async () => {
    const { t, campaignId } = await setup("meta", "auto");
    expectError(await createAdset(t, "meta", campaignId, { name: "No budget" }), 422, "VALIDATION");
    const res = await createAdset(t, "meta", campaignId, { name: "Own budget", dailyBudgetCents: 2500 });
    expect(res.status, res.text).toBe(202);
    expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({ status: "completed" });
    expect((await readAdset(t, "meta", res.body.adsetId)).dailyBudgetCents).toBe(2500);
    const apple = await api("POST", `/v1/projects/${t.projectId}/ads/apple/campaigns`, {
      key: t.keys.partner,
      body: {
        adAccountId: t.adAccounts.apple,
        name: "Apple",
        outcome: "app_installs",
        dailyBudgetCents: 5000,
        campaignManagementMode: "autopilot",
        creativeMode: "autopilot",
        budgetLevel: "adset",
      },
    });
    expectError(apple, 422, "VALIDATION");
  });

  it("Meta live: the campaign carries no budget and the ad set carries budget and bid strategy", async () => {
    const t = await createTenant();
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts.meta)
      .run();
    await storeCredential(env, t.adAccounts.meta, {
      kind: "oauth_token",
      accessToken: "tok",
      expiresAt: null,
    });
    const key = (await t.addKey({ env: "live" })).key;
    const bodies: URLSearchParams[] = [];
    server.use(
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/campaigns", async ({ request }) => {
        bodies.push(new URLSearchParams(await request.text()));
        return HttpResponse.json({ id: "120200000000000042" });
      }),
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/adsets", async ({ request }) => {
        bodies.push(new URLSearchParams(await request.text()));
        return HttpResponse.json({ id: "120200000000000077" });
      }),
    );
    const c = await createCampaign(t, "meta", {
      key,
      body: { budgetLevel: "adset", dailyBudgetCents: 6000 },
    });
    expect(c.job).toMatchObject({ status: "completed" });
    const [campaign, adset] = bodies;
    expect(campaign?.get("daily_budget")).toBeNull();
    expect(campaign?.get("bid_strategy")).toBeNull();
    expect(campaign?.get("is_adset_budget_sharing_enabled")).toBe("false");
    expect(adset?.get("daily_budget")).toBe("6000");
    expect(adset?.get("bid_strategy")).toBe("LOWEST_COST_WITHOUT_CAP");
  });
});
