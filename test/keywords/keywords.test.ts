/**
 * Apple keywords end to end (sandbox): POST|PATCH|DELETE …/ads/apple/adsets/:adsetId/keywords
 * judged on the parent campaign's creative axis in auto, draft and off; per-keyword results in
 * the job; the listing after dispatch; validation before the gate; retries that never create
 * a keyword twice.
 */
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { type JobView, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  type Accepted,
  auditEvents,
  decide,
  findPending,
  liveCampaign,
  PENDING_ID,
  setAuthority,
  VERDICT_ID,
} from "../writes/fixtures";

interface KeywordView {
  keywordId: string;
  adsetId: string;
  campaignId: string;
  text: string;
  matchType: string;
  bidAmountCents: number | null;
  status: string;
  platformKeywordId: string;
}

interface KeywordResult {
  keywordId: string;
  platformKeywordId?: string;
  status: string;
  error?: { code: string; message: string; platformCode?: string };
}

type KeywordJob = JobView & { result?: { platformCampaignId: string; keywords?: KeywordResult[] } };

async function defaultAdsetOf(t: TestTenant, campaignId: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const res = await api<{ items: { adsetId: string; platformAdsetId: string | null }[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
      { key: t.keys.readOnly },
    );
    const adset = res.body.items[0];
    if (adset?.platformAdsetId) return adset.adsetId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no default ad set");
}

async function setup(body: Record<string, unknown> = {}) {
  const t = await createTenant();
  const campaignId = await liveCampaign(t, { platform: "apple", body });
  return { t, campaignId, adsetId: await defaultAdsetOf(t, campaignId) };
}

const path = (t: TestTenant, adsetId: string) =>
  `/v1/projects/${t.projectId}/ads/apple/adsets/${adsetId}/keywords`;

const send = (
  t: TestTenant,
  method: "POST" | "PATCH" | "DELETE",
  adsetId: string,
  body: unknown,
  options: { key?: string; headers?: Record<string, string> } = {},
) => api<Accepted>(method, path(t, adsetId), { key: options.key ?? t.keys.partner, body, ...options });

async function list(t: TestTenant, adsetId: string, query = "") {
  const res = await api<{ items: KeywordView[]; nextCursor: string | null }>(
    "GET",
    `${path(t, adsetId)}${query ? `?${query}` : ""}`,
    { key: t.keys.readOnly },
  );
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function completed(t: TestTenant, res: { status: number; text: string; body: Accepted }) {
  expect(res.status, res.text).toBe(202);
  const job = (await waitForJob(t.keys.partner, res.body.jobId)) as KeywordJob;
  expect(job.status, JSON.stringify(job)).toBe("completed");
  return job;
}

const TWO = {
  keywords: [
    { text: "trail running", matchType: "exact", bidAmountCents: 150 },
    { text: "hiking app", matchType: "broad" },
  ],
};

describe("Apple keyword writes by creative mode", () => {
  it("auto: adds, updates and deletes; per-keyword results; the listing follows", async () => {
    const { t, campaignId, adsetId } = await setup();
    const added = await completed(t, await send(t, "POST", adsetId, TWO));
    expect(added.kind).toBe("ads_add_keywords");
    const results = added.result?.keywords ?? [];
    expect(results).toHaveLength(2);
    for (const r of results) {
      expect(r).toMatchObject({ status: "created", keywordId: expect.stringMatching(/^kw_/) });
      expect(r.platformKeywordId).toMatch(/^1\d{9}$/);
    }
    const page = await list(t, adsetId);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((k) => [k.keywordId, k.text, k.matchType, k.bidAmountCents, k.status])).toEqual([
      [results[0]?.keywordId, "trail running", "exact", 150, "active"],
      [results[1]?.keywordId, "hiking app", "broad", null, "active"],
    ]);
    expect(page.items[0]).toMatchObject({
      adsetId,
      campaignId,
      platformKeywordId: results[0]?.platformKeywordId,
    });

    const [first, second] = results.map((r) => r.keywordId);
    const updated = await completed(
      t,
      await send(t, "PATCH", adsetId, {
        keywords: [
          { keywordId: first, bidAmountCents: 220 },
          { keywordId: second, status: "paused" },
        ],
      }),
    );
    expect(updated.result?.keywords?.map((r) => r.status)).toEqual(["updated", "updated"]);
    expect((await list(t, adsetId)).items.map((k) => [k.bidAmountCents, k.status])).toEqual([
      [220, "active"],
      [null, "paused"],
    ]);

    const removed = await completed(
      t,
      await send(t, "DELETE", adsetId, { keywords: [{ keywordId: first }] }),
    );
    expect(removed.result?.keywords).toEqual([
      { keywordId: first, platformKeywordId: results[0]?.platformKeywordId, status: "deleted" },
    ]);
    expect((await list(t, adsetId, "status=active,paused")).items.map((k) => k.keywordId)).toEqual([second]);
    expect((await list(t, adsetId, "status=deleted")).items.map((k) => k.keywordId)).toEqual([first]);
    // A deleted keyword can no longer be addressed.
    expectError(
      await send(t, "PATCH", adsetId, { keywords: [{ keywordId: first, status: "active" }] }),
      422,
      "VALIDATION",
    );
  });

  it("draft: one pending action shows the keywords; approving dispatches it", async () => {
    const { t, campaignId, adsetId } = await setup();
    await setAuthority(t, campaignId, { creative: "draft" }, "apple");
    const res = await send(t, "POST", adsetId, TWO);
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingId).toMatch(PENDING_ID);
    const pending = await findPending(t, res.body.pendingId as string, "pending", "apple");
    expect(pending).toMatchObject({
      actionType: "add_keywords",
      entityType: "adset",
      entityId: adsetId,
      currentValue: { keywordCount: 0 },
      newValue: {
        keywords: [
          { text: "trail running", matchType: "exact", bidAmountCents: 150, status: "active" },
          { text: "hiking app", matchType: "broad", bidAmountCents: null, status: "active" },
        ],
      },
    });
    expect((await list(t, adsetId)).items).toEqual([]);
    const approved = await decide(t, res.body.pendingId as string, "approve", { platform: "apple" });
    expect(approved.status, approved.text).toBe(200);
    const job = (await waitForJob(t.keys.partner, res.body.jobId)) as KeywordJob;
    expect(job.status).toBe("completed");
    expect(job.result?.keywords?.map((r) => r.status)).toEqual(["created", "created"]);
    expect((await list(t, adsetId)).items.map((k) => k.text)).toEqual(["trail running", "hiking app"]);

    // An update queued in draft shows the keyword as it is now and the change asked for.
    const keywordId = job.result?.keywords?.[0]?.keywordId as string;
    const change = await send(t, "PATCH", adsetId, { keywords: [{ keywordId, bidAmountCents: 300 }] });
    const queued = await findPending(t, change.body.pendingId as string, "pending", "apple");
    expect(queued).toMatchObject({
      actionType: "update_keywords",
      currentValue: {
        keywords: [{ keywordId, text: "trail running", bidAmountCents: 150, status: "active" }],
      },
      newValue: { keywords: [{ keywordId, bidAmountCents: 300 }] },
    });
  });

  it("off: denies with a verdict; nothing is created", async () => {
    const { t, campaignId, adsetId } = await setup();
    await setAuthority(t, campaignId, { creative: "off" }, "apple");
    const res = await send(t, "POST", adsetId, TWO);
    const details = expectError(res, 403, "AUTHORITY_DENIED");
    expect(details).toMatchObject({ axis: "creative", currentMode: "off" });
    expect(String(details.verdictId)).toMatch(VERDICT_ID);
    const verdicts = (await auditEvents(t, "verdict")) ?? [];
    expect(verdicts.some((v) => JSON.stringify(v).includes(String(details.verdictId)))).toBe(true);
    expect((await list(t, adsetId)).items).toEqual([]);
  });
});

describe("Apple keyword validation (422 before the gate)", () => {
  it("refuses 0 and 201 items, Apple's limits, duplicates and unknown keywordIds", async () => {
    const { t, adsetId } = await setup();
    expectError(await send(t, "POST", adsetId, { keywords: [] }), 422, "VALIDATION");
    const many = Array.from({ length: 201 }, (_, i) => ({ text: `kw ${i}`, matchType: "exact" }));
    expectError(await send(t, "POST", adsetId, { keywords: many }), 422, "VALIDATION");
    expectError(await send(t, "DELETE", adsetId, { keywords: [] }), 422, "VALIDATION");
    const bad = [
      { text: "x".repeat(81), matchType: "exact" },
      { text: "one two three four five six seven eight nine ten eleven", matchType: "exact" },
      { text: "cheap", matchType: "exact", bidAmountCents: 0 },
      { text: "pricey", matchType: "exact", bidAmountCents: 6000 },
      { text: "dup", matchType: "phrase" },
    ];
    for (const k of bad) {
      expectError(await send(t, "POST", adsetId, { keywords: [k] }), 422, "VALIDATION");
    }
    const dup = await send(t, "POST", adsetId, {
      keywords: [
        { text: "Trail  Running", matchType: "exact" },
        { text: "trail running", matchType: "exact" },
        { text: "trail running", matchType: "broad" },
      ],
    });
    const details = expectError(dup, 422, "VALIDATION");
    expect(JSON.stringify(details)).toContain("keywords.1.text");
    expect(JSON.stringify(details)).not.toContain("keywords.2.text");
    const unknown = await send(t, "PATCH", adsetId, {
      keywords: [{ keywordId: "kw_01JD0000000000000000000000", status: "paused" }],
    });
    expect(JSON.stringify(expectError(unknown, 422, "VALIDATION"))).toContain("keywords.0.keywordId");
    expectError(await send(t, "PATCH", adsetId, { keywords: [{ keywordId: "kw_x" }] }), 422, "VALIDATION");
    // A keyword the ad group already has.
    await completed(
      t,
      await send(t, "POST", adsetId, { keywords: [{ text: "hiking", matchType: "exact" }] }),
    );
    expectError(
      await send(t, "POST", adsetId, { keywords: [{ text: "HIKING", matchType: "exact" }] }),
      422,
      "VALIDATION",
    );
  });

  it("answers 403 without ads:write:creative and 404 for a Meta ad set or an unknown one", async () => {
    const { t, adsetId } = await setup();
    expectError(await send(t, "POST", adsetId, TWO, { key: t.keys.readOnly }), 403, "FORBIDDEN_SCOPE");
    const metaCampaign = await liveCampaign(t, { platform: "meta" });
    const metaAdset = await defaultAdsetOf(t, metaCampaign);
    expectError(await send(t, "POST", metaAdset, TWO), 404, "NOT_FOUND");
    expectError(await send(t, "POST", "adg_01JD0000000000000000000000", TWO), 404, "NOT_FOUND");
    const missing = await api("GET", path(t, "adg_01JD0000000000000000000000"), { key: t.keys.readOnly });
    expectError(missing, 404, "NOT_FOUND");
  });
});

describe("Apple keyword partial success and retries", () => {
  it("a keyword the platform refuses fails alone; the job completes with the others", async () => {
    const { t, adsetId } = await setup();
    const job = await completed(
      t,
      await send(t, "POST", adsetId, {
        keywords: [
          { text: "good one", matchType: "exact" },
          { text: "bad [sandbox:reject]", matchType: "exact" },
        ],
      }),
    );
    const [good, bad] = job.result?.keywords ?? [];
    expect(good?.status).toBe("created");
    expect(bad).toMatchObject({
      status: "failed",
      error: { code: "PLATFORM_REJECTED", platformCode: "INVALID_INPUT" },
    });
    expect((await list(t, adsetId)).items.map((k) => k.keywordId)).toEqual([good?.keywordId]);
  });

  it("a retried request or a retried dispatch never creates a keyword twice", async () => {
    const { t, adsetId } = await setup({ name: "Retrying [sandbox:fail=1]" });
    const headers = { "Idempotency-Key": "kw-retry-1" };
    const first = await send(t, "POST", adsetId, TWO, { headers });
    const job = await completed(t, first);
    expect(job.attempts).toBe(2);
    const again = await send(t, "POST", adsetId, TWO, { headers });
    expect(again.status, again.text).toBe(202);
    expect(again.body.jobId).toBe(first.body.jobId);
    const items = (await list(t, adsetId)).items;
    expect(items).toHaveLength(2);
    expect(items.map((k) => k.platformKeywordId)).toEqual(
      job.result?.keywords?.map((r) => r.platformKeywordId),
    );
  });

  it("takes 200 keywords in one request and lists them all", async () => {
    const { t, adsetId } = await setup();
    const keywords = Array.from({ length: 200 }, (_, i) => ({ text: `term ${i}`, matchType: "exact" }));
    const job = await completed(t, await send(t, "POST", adsetId, { keywords }));
    expect(job.result?.keywords?.filter((r) => r.status === "created")).toHaveLength(200);
    const page = await list(t, adsetId, "limit=200");
    expect(page.items).toHaveLength(200);
    expect(page.items[199]?.text).toBe("term 199");
  });

  it("pages the listing with a cursor", async () => {
    const { t, adsetId } = await setup();
    const keywords = Array.from({ length: 5 }, (_, i) => ({ text: `word ${i}`, matchType: "broad" }));
    await completed(t, await send(t, "POST", adsetId, { keywords }));
    const one = await list(t, adsetId, "limit=3");
    expect(one.items.map((k) => k.text)).toEqual(["word 0", "word 1", "word 2"]);
    const two = await list(t, adsetId, `limit=3&cursor=${encodeURIComponent(one.nextCursor as string)}`);
    expect(two.items.map((k) => k.text)).toEqual(["word 3", "word 4"]);
    expect(two.nextCursor).toBeNull();
  });
});
