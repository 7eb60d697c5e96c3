/**
 * PATCH …/adsets/:adsetId/budget: refused with 422 (nothing dispatched, no verdict) while the
 * campaign's budget lives at campaign level; the adapters' ad set budget requests.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MetaAdapter } from "../../src/platforms/meta";
import { TikTokAdapter } from "../../src/platforms/tiktok";
import type { PlatformOperation } from "../../src/platforms/types";
import { api, expectError } from "../helpers/http";
import { createTenant } from "../helpers/tenant";
import { adAccount, campaignSpec, dispatchContext } from "../platforms/fixtures";
import { liveCampaign } from "../writes/fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("PATCH …/adsets/:adsetId/budget", () => {
  it("answers 422 on a campaign whose budget lives at campaign level, and starts no job", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t, { platform: "meta" });
    let adsetId: string | undefined;
    for (let i = 0; i < 60 && !adsetId; i++) {
      const page = await api<{ items: { adsetId: string }[] }>(
        "GET",
        `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
        { key: t.keys.readOnly },
      );
      adsetId = page.body.items[0]?.adsetId;
      if (!adsetId) await new Promise((r) => setTimeout(r, 100));
    }
    const res = await api("PATCH", `/v1/projects/${t.projectId}/ads/meta/adsets/${adsetId}/budget`, {
      key: t.keys.partner,
      body: { dailyBudgetCents: 7000 },
    });
    expectError(res, 422, "VALIDATION");
    expect(res.text).toContain("campaign level");
    expect(res.text).not.toContain("verdictId");
    const jobs = await env.DB.prepare("SELECT count(*) AS n FROM jobs WHERE campaign_id = ?")
      .bind(campaignId)
      .first<{ n: number }>();
    expect(jobs?.n).toBe(1);
  });
});

describe("ad set budget requests", () => {
  const operation = (platform: "meta" | "tiktok"): PlatformOperation => ({
    type: "update_adset_budget",
    campaign: campaignSpec(platform),
    platformCampaignId: "111",
    platformAdsetId: "222",
    dailyBudgetCents: 12_345,
  });

  it("Meta: POST /{adset_id} daily_budget in minor units", async () => {
    const bodies: string[] = [];
    server.use(
      http.post("https://graph.test.example/v25.0/222", async ({ request }) => {
        bodies.push(await request.text());
        return HttpResponse.json({ success: true });
      }),
    );
    const adapter = new MetaAdapter({
      apiBase: "https://graph.test.example",
      apiVersion: "v25.0",
      accessToken: "tok",
      timeoutMs: 2000,
    });
    const result = await adapter.execute(operation("meta"), adAccount("meta"), dispatchContext());
    expect(result).toEqual({ ok: true, platformCampaignId: "111", platformAdsetId: "222" });
    expect(bodies).toEqual(["daily_budget=12345&access_token=tok"]);
  });

  it("TikTok: POST /adgroup/update/ with the budget in the main unit", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post("https://tiktok.test.example/open_api/v1.3/adgroup/update/", async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ code: 0, message: "OK", request_id: "r", data: {} });
      }),
    );
    const adapter = new TikTokAdapter({
      apiBase: "https://tiktok.test.example/open_api/v1.3",
      accessToken: "tok",
      timeoutMs: 2000,
    });
    const account = adAccount("tiktok");
    const result = await adapter.execute(operation("tiktok"), account, dispatchContext());
    expect(result).toEqual({ ok: true, platformCampaignId: "111", platformAdsetId: "222" });
    expect(bodies).toEqual([{ advertiser_id: account.externalId, adgroup_id: "222", budget: 123.45 }]);
  });
});
