/**
 * The exact outbound TikTok requests of every ad operation: video and cover upload by URL,
 * `/ad/create/` with its request_id, the review lookup (`/ad/get/`), `/ad/update/` for a
 * replace, and `/ad/status/update/` for pause, resume, prune and delete.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import { tiktokRequestId } from "../../src/platforms/tiktok";
import { api } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import type { Accepted } from "../writes/fixtures";
import { adPath, campaignWithAdset, createCreative, push, readAd, settleReviews } from "./fixtures";

const server = setupServer();
interface MockedRequest {
  url: string;
  method: string;
  headers: Headers;
  text(): Promise<string>;
  json(): Promise<unknown>;
}
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const BASE = "https://business-api.tiktok.com/open_api/v1.3";
const ADVERTISER = "7012345678901234567";
const ok = (data: unknown) => HttpResponse.json({ code: 0, message: "OK", request_id: "r", data });

describe("TikTok ad requests (outbound mocked)", () => {
  it("push, review, replace, pause, resume, prune, delete", async () => {
    const t = await createTenant();
    const { campaignId, adsetId } = await campaignWithAdset(t, "tiktok");
    const adset = await api<{ platformAdsetId: string }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/tiktok/adsets/${adsetId}`,
      { key: t.keys.readOnly },
    );
    const creativeId = await createCreative(t);
    const next = await createCreative(t, { name: "v2", mediaUrl: "https://cdn.example.com/v2.mp4" });
    await env.DB.prepare(
      "UPDATE ad_accounts SET connection = 'live', settings = json_set(settings, '$.identityId', 'ident-7') WHERE id = ?",
    )
      .bind(t.adAccounts.tiktok)
      .run();
    await storeCredential(env, t.adAccounts.tiktok, {
      kind: "oauth_token",
      accessToken: "t-token",
      expiresAt: null,
    });
    const key = (await t.addKey({ env: "live" })).key;

    const seen: { path: string; body: unknown; token: string | null }[] = [];
    let ads = 0;
    const note = async (request: MockedRequest) => {
      const url = new URL(request.url);
      seen.push({
        path: url.pathname.replace("/open_api/v1.3", ""),
        body: request.method === "POST" ? await request.json() : Object.fromEntries(url.searchParams),
        token: request.headers.get("Access-Token"),
      });
    };
    server.use(
      http.post(`${BASE}/file/video/ad/upload/`, async ({ request }) => {
        await note(request);
        return ok([{ video_id: "v09044g40000" }]);
      }),
      http.post(`${BASE}/file/image/ad/upload/`, async ({ request }) => {
        await note(request);
        return ok({ image_id: "ad-site-i18n-sg/cover" });
      }),
      http.post(`${BASE}/ad/create/`, async ({ request }) => {
        await note(request);
        ads += 1;
        return ok({ ad_ids: [`180000000000000${ads}`] });
      }),
      http.get(`${BASE}/ad/get/`, async ({ request }) => {
        await note(request);
        return ok({ list: [{ ad_id: "1800000000000001", secondary_status: "AD_STATUS_DELIVERY_OK" }] });
      }),
      http.post(`${BASE}/ad/update/`, async ({ request }) => {
        await note(request);
        return ok({});
      }),
      http.post(`${BASE}/ad/status/update/`, async ({ request }) => {
        await note(request);
        return ok({});
      }),
    );
    const creativeBody = (videoUrlId: string) => ({
      ad_name: "Spring sale — 15s",
      ad_format: "SINGLE_VIDEO",
      video_id: videoUrlId,
      image_ids: ["ad-site-i18n-sg/cover"],
      ad_text: "Spring sale: 20% off everything.",
      call_to_action: "SHOP_NOW",
      landing_page_url: "https://shop.example.com/spring",
      identity_id: "ident-7",
      identity_type: "CUSTOMIZED_USER",
      operation_status: "ENABLE",
    });
    const uploads = (videoUrl: string) => [
      {
        path: "/file/video/ad/upload/",
        body: { advertiser_id: ADVERTISER, upload_type: "UPLOAD_BY_URL", video_url: videoUrl },
        token: "t-token",
      },
      {
        path: "/file/image/ad/upload/",
        body: {
          advertiser_id: ADVERTISER,
          upload_type: "UPLOAD_BY_URL",
          image_url: "https://cdn.example.com/spring.jpg",
        },
        token: "t-token",
      },
    ];

    const pushed = await push(t, "tiktok", adsetId, { creativeId }, key);
    expect(pushed.status, pushed.text).toBe(202);
    const job = await waitForJob(key, pushed.body.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    expect(job.result).toMatchObject({ platformAdId: "1800000000000001" });
    const adId = (job.result as unknown as { adId: string }).adId;
    expect(seen).toEqual([
      ...uploads("https://cdn.example.com/spring.mp4"),
      {
        path: "/ad/create/",
        body: {
          advertiser_id: ADVERTISER,
          adgroup_id: adset.body.platformAdsetId,
          creatives: [creativeBody("v09044g40000")],
          request_id: await tiktokRequestId(`${pushed.body.jobId}:ad`),
        },
        token: "t-token",
      },
    ]);

    seen.length = 0;
    expect(await settleReviews(campaignId)).toBe(1);
    expect(seen).toEqual([
      {
        path: "/ad/get/",
        body: {
          advertiser_id: ADVERTISER,
          filtering: JSON.stringify({ ad_ids: ["1800000000000001"] }),
          fields: JSON.stringify(["ad_id", "secondary_status", "operation_status"]),
        },
        token: "t-token",
      },
    ]);
    expect(await readAd(t, "tiktok", adId)).toMatchObject({ reviewStatus: "approved", platformReason: null });

    const send = async (method: "POST" | "PUT" | "DELETE", path: string, body?: unknown) => {
      const r = await api<Accepted>(method, path, { key, ...(body ? { body } : {}) });
      expect(r.status, r.text).toBe(202);
      expect((await waitForJob(key, r.body.jobId)).status).toBe("completed");
    };
    seen.length = 0;
    await send("PUT", `${adPath(t, "tiktok", adId)}/creative`, { creativeId: next });
    expect(seen).toEqual([
      ...uploads("https://cdn.example.com/v2.mp4"),
      {
        path: "/ad/update/",
        body: {
          advertiser_id: ADVERTISER,
          adgroup_id: adset.body.platformAdsetId,
          creatives: [{ ad_id: "1800000000000001", ...creativeBody("v09044g40000") }],
        },
        token: "t-token",
      },
    ]);

    // A second ad, so that pruning the first leaves one serving.
    await send("POST", `/v1/projects/${t.projectId}/ads/tiktok/adsets/${adsetId}/ads`, { creativeId });
    seen.length = 0;
    await send("POST", `${adPath(t, "tiktok", adId)}/pause`);
    await send("POST", `${adPath(t, "tiktok", adId)}/resume`);
    await send("DELETE", `${adPath(t, "tiktok", adId)}/creative`);
    await send("DELETE", adPath(t, "tiktok", adId));
    const status = (operation_status: string) => ({
      path: "/ad/status/update/",
      body: { advertiser_id: ADVERTISER, ad_ids: ["1800000000000001"], operation_status },
      token: "t-token",
    });
    expect(seen).toEqual([status("DISABLE"), status("ENABLE"), status("DISABLE"), status("DELETE")]);
  });
});
