/**
 * POST …/adsets/:adsetId/pause|resume and DELETE …/adsets/:adsetId: structural ad set writes,
 * judged against the parent campaign's authority in auto, draft and off; the exact outbound
 * requests on each live platform.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  type Accepted,
  findPending,
  liveCampaign,
  PENDING_ID,
  setAuthority,
  VERDICT_ID,
} from "../writes/fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface AdsetView {
  adsetId: string;
  status: string;
  platformAdsetId: string | null;
}

async function defaultAdsetOf(t: TestTenant, campaignId: string): Promise<AdsetView> {
  for (let i = 0; i < 60; i++) {
    const res = await api<{ items: AdsetView[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
      { key: t.keys.readOnly },
    );
    const adset = res.body.items[0];
    if (adset?.platformAdsetId) return adset;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no default ad set");
}

const path = (t: TestTenant, platform: SeedPlatform, adsetId: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}`;

type Action = "pause" | "resume" | "delete";
const send = (t: TestTenant, platform: SeedPlatform, adsetId: string, action: Action, key?: string) =>
  action === "delete"
    ? api<Accepted>("DELETE", path(t, platform, adsetId), { key: key ?? t.keys.partner })
    : api<Accepted>("POST", `${path(t, platform, adsetId)}/${action}`, { key: key ?? t.keys.partner });

const statusOf = async (t: TestTenant, platform: SeedPlatform, adsetId: string) =>
  (await api<AdsetView>("GET", path(t, platform, adsetId), { key: t.keys.readOnly })).body.status;

async function setup(platform: SeedPlatform = "meta") {
  const t = await createTenant();
  const campaignId = await liveCampaign(t, { platform });
  return { t, campaignId, adset: await defaultAdsetOf(t, campaignId) };
}

describe("ad set pause, resume, delete by axis mode", () => {
  it("auto: pause, resume and delete take effect; a deleted ad set refuses further writes", async () => {
    const { t, adset } = await setup("tiktok");
    for (const [action, status] of [
      ["pause", "paused"],
      ["resume", "active"],
      ["delete", "deleted"],
    ] as const) {
      const res = await send(t, "tiktok", adset.adsetId, action);
      expect(res.status, res.text).toBe(202);
      expect(res.body.pendingId).toBeUndefined();
      expect(await waitForJob(t.keys.partner, res.body.jobId)).toMatchObject({
        status: "completed",
        kind: `ads_${action}_adset`,
      });
      expect(await statusOf(t, "tiktok", adset.adsetId)).toBe(status);
    }
    expectError(await send(t, "tiktok", adset.adsetId, "pause"), 409, "CONFLICT");
  });

  it("draft: each queues a pending action on the ad set", async () => {
    const { t, campaignId, adset } = await setup("meta");
    await setAuthority(t, campaignId, { structural: "draft" });
    for (const action of ["pause", "delete"] as const) {
      const res = await send(t, "meta", adset.adsetId, action);
      expect(res.status, res.text).toBe(202);
      expect(res.body.pendingId).toMatch(PENDING_ID);
      expect(await findPending(t, res.body.pendingId as string, "pending")).toMatchObject({
        actionType: `${action}_adset`,
        entityType: "adset",
        entityId: adset.adsetId,
        currentValue: { status: "active" },
        newValue: { status: action === "pause" ? "paused" : "deleted" },
      });
    }
    expect(await statusOf(t, "meta", adset.adsetId)).toBe("active");
  });

  it("off: denies with a verdict; the ad set stays active", async () => {
    const { t, campaignId, adset } = await setup("apple");
    await setAuthority(t, campaignId, { structural: "off" }, "apple");
    for (const action of ["pause", "resume", "delete"] as const) {
      const res = await send(t, "apple", adset.adsetId, action);
      expectError(res, 403, "AUTHORITY_DENIED");
      expect(res.text).toMatch(new RegExp(`"verdictId":"${VERDICT_ID.source.slice(1, -1)}"`));
    }
    expect(await statusOf(t, "apple", adset.adsetId)).toBe("active");
  });

  it("answers 403 without ads:write:lifecycle and 404 for another platform's path", async () => {
    const { t, adset } = await setup("meta");
    expectError(await send(t, "meta", adset.adsetId, "pause", t.keys.readOnly), 403, "FORBIDDEN_SCOPE");
    expectError(await send(t, "apple", adset.adsetId, "pause"), 404, "NOT_FOUND");
  });
});

describe("ad set status requests on live platforms (outbound mocked)", () => {
  it("Meta pauses with POST /{adset_id} status=PAUSED and deletes with DELETE /{adset_id}", async () => {
    const { t, adset } = await setup("meta");
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts.meta)
      .run();
    await storeCredential(env, t.adAccounts.meta, {
      kind: "oauth_token",
      accessToken: "m-token",
      expiresAt: null,
    });
    const key = (await t.addKey({ env: "live" })).key;
    const seen: string[] = [];
    server.use(
      http.post(`https://graph.facebook.com/v25.0/${adset.platformAdsetId}`, async ({ request }) => {
        seen.push(`POST ${await request.text()}`);
        return HttpResponse.json({ success: true });
      }),
      http.delete(`https://graph.facebook.com/v25.0/${adset.platformAdsetId}`, ({ request }) => {
        seen.push(`DELETE ${new URL(request.url).search}`);
        return HttpResponse.json({ success: true });
      }),
    );
    for (const action of ["pause", "delete"] as const) {
      const res = await send(t, "meta", adset.adsetId, action, key);
      expect(res.status, res.text).toBe(202);
      expect(await waitForJob(key, res.body.jobId)).toMatchObject({ status: "completed" });
    }
    expect(seen).toEqual(["POST status=PAUSED&access_token=m-token", "DELETE ?access_token=m-token"]);
  });

  it("TikTok pauses with /adgroup/status/update/ DISABLE", async () => {
    const { t, adset } = await setup("tiktok");
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(t.adAccounts.tiktok)
      .run();
    await storeCredential(env, t.adAccounts.tiktok, {
      kind: "oauth_token",
      accessToken: "t-token",
      expiresAt: null,
    });
    const key = (await t.addKey({ env: "live" })).key;
    const bodies: unknown[] = [];
    server.use(
      http.post(
        "https://business-api.tiktok.com/open_api/v1.3/adgroup/status/update/",
        async ({ request }) => {
          bodies.push(await request.json());
          return HttpResponse.json({ code: 0, message: "OK", request_id: "r", data: {} });
        },
      ),
    );
    const res = await send(t, "tiktok", adset.adsetId, "pause", key);
    expect(await waitForJob(key, res.body.jobId)).toMatchObject({ status: "completed" });
    expect(bodies).toEqual([
      {
        advertiser_id: "7012345678901234567",
        adgroup_ids: [adset.platformAdsetId],
        operation_status: "DISABLE",
      },
    ]);
  });
});
