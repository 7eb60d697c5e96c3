/**
 * The exact outbound Meta requests of every ad operation: media upload, ad creative, ad, the
 * retry's lookup by name tag, the review lookup, replace, status changes and delete.
 */
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import { REVIEW_MAX_CHECKS } from "../../src/domain/ad-review";
import { metaAdTag } from "../../src/platforms/meta-ads";
import { api } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { type Accepted, auditEvents } from "../writes/fixtures";
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

const GRAPH = "https://graph.facebook.com/v25.0";
const ACT = `${GRAPH}/act_1234567890123`;

async function goLive(t: TestTenant): Promise<string> {
  await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
    .bind(t.adAccounts.meta)
    .run();
  await storeCredential(env, t.adAccounts.meta, {
    kind: "oauth_token",
    accessToken: "m-token",
    expiresAt: null,
  });
  return (await t.addKey({ env: "live" })).key;
}

const form = (text: string) => Object.fromEntries(new URLSearchParams(text));

describe("Meta ad requests (outbound mocked)", () => {
  it("push (image), review, replace (video), pause, resume, prune, delete", async () => {
    const t = await createTenant();
    const { campaignId, adsetId } = await campaignWithAdset(t, "meta");
    const adset = await api<{ platformAdsetId: string }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/meta/adsets/${adsetId}`,
      { key: t.keys.readOnly },
    );
    const image = await createCreative(t, {
      name: "Banner",
      format: "image",
      mediaUrl: "https://cdn.example.com/banner.png",
      thumbnailUrl: undefined,
      description: "All week",
    });
    const video = await createCreative(t, { name: "Clip" });
    const key = await goLive(t);
    const seen: { method: string; url: string; body: Record<string, string> }[] = [];
    let creatives = 0;
    const note = async (request: MockedRequest) => {
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        url: `${url.origin}${url.pathname}`,
        body: request.method === "POST" ? form(await request.text()) : Object.fromEntries(url.searchParams),
      });
    };
    server.use(
      http.get("https://cdn.example.com/banner.png", () => new HttpResponse(new Uint8Array([1, 2, 3]))),
      http.post(`${ACT}/adimages`, async ({ request }) => {
        await note(request);
        return HttpResponse.json({ images: { bytes: { hash: "img-hash-1", url: "https://x/y" } } });
      }),
      http.post(`${ACT}/advideos`, async ({ request }) => {
        await note(request);
        return HttpResponse.json({ id: "vid-1" });
      }),
      http.post(`${ACT}/adcreatives`, async ({ request }) => {
        await note(request);
        creatives += 1;
        return HttpResponse.json({ id: `cr-${creatives}` });
      }),
      http.post(`${ACT}/ads`, async ({ request }) => {
        await note(request);
        return HttpResponse.json({ id: "6100000000001" });
      }),
      http.get(`${GRAPH}/6100000000001`, async ({ request }) => {
        await note(request);
        return HttpResponse.json({
          id: "6100000000001",
          effective_status: "DISAPPROVED",
          ad_review_feedback: { global: { ADVERTISING_POLICIES: "Misleading claims." } },
        });
      }),
      http.post(`${GRAPH}/6100000000001`, async ({ request }) => {
        await note(request);
        return HttpResponse.json({ success: true });
      }),
      http.delete(`${GRAPH}/6100000000001`, async ({ request }) => {
        await note(request);
        return HttpResponse.json({ success: true });
      }),
    );

    const pushed = await push(t, "meta", adsetId, { creativeId: image, name: "Week banner" }, key);
    expect(pushed.status, pushed.text).toBe(202);
    const job = await waitForJob(key, pushed.body.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    const adId = (job.result as unknown as { adId: string; platformAdId: string }).adId;
    expect(job.result).toMatchObject({ platformAdId: "6100000000001" });
    const tag = await metaAdTag(pushed.body.jobId);
    expect(seen).toEqual([
      { method: "POST", url: `${ACT}/adimages`, body: { bytes: "AQID", access_token: "m-token" } },
      {
        method: "POST",
        url: `${ACT}/adcreatives`,
        body: {
          name: `Banner ${tag}`,
          object_story_spec: JSON.stringify({
            page_id: "100000000000001",
            link_data: {
              message: "Spring sale: 20% off everything.",
              link: "https://shop.example.com/spring",
              name: "Spring sale",
              description: "All week",
              image_hash: "img-hash-1",
              call_to_action: { type: "SHOP_NOW", value: { link: "https://shop.example.com/spring" } },
            },
          }),
          access_token: "m-token",
        },
      },
      {
        method: "POST",
        url: `${ACT}/ads`,
        body: {
          name: `Week banner ${tag}`,
          adset_id: adset.body.platformAdsetId,
          creative: JSON.stringify({ creative_id: "cr-1" }),
          status: "ACTIVE",
          access_token: "m-token",
        },
      },
    ]);

    seen.length = 0;
    expect(await settleReviews(campaignId)).toBe(1);
    expect(seen).toEqual([
      {
        method: "GET",
        url: `${GRAPH}/6100000000001`,
        body: { fields: "effective_status,ad_review_feedback", access_token: "m-token" },
      },
    ]);
    expect(await readAd(t, "meta", adId)).toMatchObject({
      reviewStatus: "disapproved",
      platformReason: "Misleading claims.",
    });

    seen.length = 0;
    const send = async (res: Promise<{ status: number; text: string; body: Accepted }>) => {
      const r = await res;
      expect(r.status, r.text).toBe(202);
      expect((await waitForJob(key, r.body.jobId)).status).toBe("completed");
      return r.body.jobId;
    };
    const replaceJob = await send(
      api<Accepted>("PUT", `${adPath(t, "meta", adId)}/creative`, { key, body: { creativeId: video } }),
    );
    const replaceTag = await metaAdTag(replaceJob);
    expect(seen).toEqual([
      {
        method: "POST",
        url: `${ACT}/advideos`,
        body: {
          file_url: "https://cdn.example.com/spring.mp4",
          name: `Week banner ${replaceTag}`,
          access_token: "m-token",
        },
      },
      {
        method: "POST",
        url: `${ACT}/adcreatives`,
        body: {
          name: `Clip ${replaceTag}`,
          object_story_spec: JSON.stringify({
            page_id: "100000000000001",
            video_data: {
              video_id: "vid-1",
              image_url: "https://cdn.example.com/spring.jpg",
              message: "Spring sale: 20% off everything.",
              title: "Spring sale",
              call_to_action: { type: "SHOP_NOW", value: { link: "https://shop.example.com/spring" } },
            },
          }),
          access_token: "m-token",
        },
      },
      {
        method: "POST",
        url: `${GRAPH}/6100000000001`,
        body: { creative: JSON.stringify({ creative_id: "cr-2" }), access_token: "m-token" },
      },
    ]);

    // The new creative's review: disapproved again, so the ad no longer serves and may be pruned.
    expect(await settleReviews(campaignId)).toBe(1);
    seen.length = 0;
    await send(api<Accepted>("POST", `${adPath(t, "meta", adId)}/pause`, { key }));
    await send(api<Accepted>("POST", `${adPath(t, "meta", adId)}/resume`, { key }));
    await send(api<Accepted>("DELETE", `${adPath(t, "meta", adId)}/creative`, { key }));
    await send(api<Accepted>("DELETE", adPath(t, "meta", adId), { key }));
    const status = (value: string) => ({
      method: "POST",
      url: `${GRAPH}/6100000000001`,
      body: { status: value, access_token: "m-token" },
    });
    expect(seen).toEqual([
      status("PAUSED"),
      status("ACTIVE"),
      status("ARCHIVED"),
      { method: "DELETE", url: `${GRAPH}/6100000000001`, body: { access_token: "m-token" } },
    ]);
  });

  it("a retried push adopts the ad its lost answer created (lookup by name tag), creating nothing twice", async () => {
    const t = await createTenant();
    const { adsetId } = await campaignWithAdset(t, "meta");
    const video = await createCreative(t);
    const key = await goLive(t);
    let creates = 0;
    const lookups: Record<string, string>[] = [];
    server.use(
      http.post(`${ACT}/advideos`, () => HttpResponse.json({ id: "vid-1" })),
      http.post(`${ACT}/adcreatives`, () => HttpResponse.json({ id: "cr-1" })),
      http.post(`${ACT}/ads`, () => {
        creates += 1;
        // The ad is created, but the answer is lost.
        return HttpResponse.json(
          { error: { code: 2, message: "Service temporarily unavailable" } },
          { status: 500 },
        );
      }),
      http.get(`${ACT}/ads`, ({ request }) => {
        lookups.push(Object.fromEntries(new URL(request.url).searchParams));
        const tag = JSON.parse(new URL(request.url).searchParams.get("filtering") ?? "[]")[0]?.value;
        return HttpResponse.json({
          data: [{ id: "6100000000009", name: `Spring sale — 15s ${tag}`, creative: { id: "cr-1" } }],
        });
      }),
    );
    const pushed = await push(t, "meta", adsetId, { creativeId: video }, key);
    const job = await waitForJob(key, pushed.body.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    expect(job.result).toMatchObject({ platformAdId: "6100000000009" });
    expect(creates).toBe(1);
    const tag = await metaAdTag(pushed.body.jobId);
    expect(lookups).toEqual([
      {
        fields: "id,name,creative",
        filtering: JSON.stringify([{ field: "name", operator: "CONTAIN", value: tag }]),
        limit: "25",
        access_token: "m-token",
      },
    ]);
  });

  it("a review that never settles is looked up a bounded number of times, then left with an audit event", async () => {
    const t = await createTenant();
    const { campaignId, adsetId } = await campaignWithAdset(t, "meta");
    const video = await createCreative(t);
    const key = await goLive(t);
    let lookups = 0;
    server.use(
      http.post(`${ACT}/advideos`, () => HttpResponse.json({ id: "vid-1" })),
      http.post(`${ACT}/adcreatives`, () => HttpResponse.json({ id: "cr-1" })),
      http.post(`${ACT}/ads`, () => HttpResponse.json({ id: "6100000000002" })),
      http.get(`${GRAPH}/6100000000002`, () => {
        lookups += 1;
        return lookups % 2 === 0
          ? HttpResponse.json(
              { error: { code: 2, message: "Service temporarily unavailable" } },
              { status: 500 },
            )
          : HttpResponse.json({ id: "6100000000002", effective_status: "PENDING_REVIEW" });
      }),
    );
    const pushed = await push(t, "meta", adsetId, { creativeId: video }, key);
    const job = await waitForJob(key, pushed.body.jobId);
    expect(job.status, JSON.stringify(job)).toBe("completed");
    const adId = (job.result as unknown as { adId: string }).adId;
    // Each lookup as if a day after the one before (every step of the ladder is shorter).
    const day = (n: number) => Date.now() + n * 24 * 3600 * 1000;
    for (let i = 1; i <= REVIEW_MAX_CHECKS; i++) expect(await settleReviews(campaignId, day(i))).toBe(1);
    expect(await settleReviews(campaignId, day(REVIEW_MAX_CHECKS + 1))).toBe(0);
    expect(lookups).toBe(REVIEW_MAX_CHECKS);
    expect(await readAd(t, "meta", adId)).toMatchObject({ reviewStatus: "pending_review", decidedAt: null });
    const unsettled = (await auditEvents(t, "ad.review_unsettled")) ?? [];
    expect(unsettled.map((e) => e.data)).toEqual([
      expect.objectContaining({ adId, checks: REVIEW_MAX_CHECKS }),
    ]);
  });
});
