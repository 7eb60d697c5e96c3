/**
 * Replace and prune an ad's creative (creative axis), pause, resume and delete an ad
 * (structural), judged against the parent campaign's authority in auto, draft and off.
 */
import { describe, expect, it } from "vitest";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  type Accepted,
  findPending,
  listPending,
  PENDING_ID,
  setAuthority,
  VERDICT_ID,
} from "../writes/fixtures";
import { adPath, campaignWithAdset, createCreative, pushAndComplete, readAd } from "./fixtures";

const replace = (t: TestTenant, platform: SeedPlatform, adId: string, creativeId: string) =>
  api<Accepted>("PUT", `${adPath(t, platform, adId)}/creative`, {
    key: t.keys.partner,
    body: { creativeId },
  });
const prune = (t: TestTenant, platform: SeedPlatform, adId: string) =>
  api<Accepted>("DELETE", `${adPath(t, platform, adId)}/creative`, { key: t.keys.partner });
const lifecycle = (
  t: TestTenant,
  platform: SeedPlatform,
  adId: string,
  action: "pause" | "resume" | "delete",
) =>
  action === "delete"
    ? api<Accepted>("DELETE", adPath(t, platform, adId), { key: t.keys.partner })
    : api<Accepted>("POST", `${adPath(t, platform, adId)}/${action}`, { key: t.keys.partner });

async function completes(t: TestTenant, res: { status: number; text: string; body: Accepted }) {
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(t.keys.partner, res.body.jobId);
  expect(job.status, JSON.stringify(job)).toBe("completed");
  return job;
}

async function setup(platform: SeedPlatform) {
  const t = await createTenant();
  const { campaignId, adsetId } = await campaignWithAdset(t, platform);
  const creativeId = await createCreative(t);
  const adId = await pushAndComplete(t, platform, adsetId, creativeId);
  return { t, campaignId, adsetId, creativeId, adId };
}

describe("ad writes in auto", () => {
  it("replace: the ad shows the new creative and goes back to review; the same creative is a no-op", async () => {
    const { t, adId, creativeId } = await setup("meta");
    const next = await createCreative(t, { name: "Spring sale — v2" });
    const job = await completes(t, await replace(t, "meta", adId, next));
    expect(job.kind).toBe("ads_replace_creative");
    expect(await readAd(t, "meta", adId)).toMatchObject({ creativeId: next, reviewStatus: "pending_review" });
    const again = await completes(t, await replace(t, "meta", adId, next));
    expect(again.attempts).toBe(0);
    expect(creativeId).not.toBe(next);
  });

  it("prune: the last serving ad answers 409 WOULD_LEAVE_ADSET_EMPTY; with another ad it is pruned", async () => {
    const { t, adsetId, creativeId, adId } = await setup("tiktok");
    const lone = await prune(t, "tiktok", adId);
    expectError(lone, 409, "WOULD_LEAVE_ADSET_EMPTY");
    expect(lone.text).not.toContain("verdictId");
    const second = await pushAndComplete(t, "tiktok", adsetId, creativeId);
    const job = await completes(t, await prune(t, "tiktok", adId));
    expect(job.kind).toBe("ads_prune_creative");
    expect((await readAd(t, "tiktok", adId)).status).toBe("pruned");
    expectError(await prune(t, "tiktok", second), 409, "WOULD_LEAVE_ADSET_EMPTY");
    // A pruned ad takes no new creative.
    expectError(await replace(t, "tiktok", adId, creativeId), 409, "CONFLICT");
  });

  it("pause, resume and delete take effect; a deleted ad refuses further writes", async () => {
    const { t, adId } = await setup("tiktok");
    for (const [action, status] of [
      ["pause", "paused"],
      ["resume", "active"],
      ["delete", "deleted"],
    ] as const) {
      const job = await completes(t, await lifecycle(t, "tiktok", adId, action));
      expect(job.kind).toBe(`ads_${action}_ad`);
      expect((await readAd(t, "tiktok", adId)).status).toBe(status);
    }
    expectError(await lifecycle(t, "tiktok", adId, "pause"), 409, "CONFLICT");
  });

  it("answers 404 for an unknown ad, another platform's path, and 403 without the scope", async () => {
    const { t, adId } = await setup("meta");
    expectError(await lifecycle(t, "meta", "ad_01JD2V4W3X5Y6Z7A8B9C0D1E2F", "pause"), 404, "NOT_FOUND");
    expectError(await lifecycle(t, "tiktok", adId, "pause"), 404, "NOT_FOUND");
    expectError(await lifecycle(t, "apple", adId, "pause"), 404, "NOT_FOUND");
    const res = await api("POST", `${adPath(t, "meta", adId)}/pause`, { key: t.keys.readOnly });
    expectError(res, 403, "FORBIDDEN_SCOPE");
  });
});

describe("ad writes in draft and off", () => {
  it("draft: replace and pause queue pending actions on the ad with current and new value", async () => {
    const { t, campaignId, adId, creativeId } = await setup("meta");
    await setAuthority(t, campaignId, { creative: "draft", structural: "draft" });
    const next = await createCreative(t, { name: "v2" });
    const replaced = await replace(t, "meta", adId, next);
    expect(replaced.status, replaced.text).toBe(202);
    expect(replaced.body.pendingId).toMatch(PENDING_ID);
    expect(await findPending(t, replaced.body.pendingId as string, "pending")).toMatchObject({
      actionType: "replace_creative",
      entityType: "ad",
      entityId: adId,
      entityName: "Spring sale — 15s",
      currentValue: { creativeId },
      newValue: expect.objectContaining({ creativeId: next }),
    });
    const paused = await lifecycle(t, "meta", adId, "pause");
    expect(await findPending(t, paused.body.pendingId as string, "pending")).toMatchObject({
      actionType: "pause_ad",
      entityType: "ad",
      currentValue: { status: "active" },
      newValue: { status: "paused" },
    });
    expect(await readAd(t, "meta", adId)).toMatchObject({ creativeId, status: "active" });
  });

  it("draft: pruning the last serving ad answers 409 before anything is queued", async () => {
    const { t, campaignId, adId } = await setup("meta");
    await setAuthority(t, campaignId, { creative: "draft" });
    expectError(await prune(t, "meta", adId), 409, "WOULD_LEAVE_ADSET_EMPTY");
    const queue = await listPending(t, "status=pending&limit=200");
    expect(queue.body.items.filter((p) => p.actionType === "prune_creative")).toEqual([]);
  });

  it("draft: a queued prune counts: pruning the other ad too answers 409", async () => {
    const { t, campaignId, adsetId, creativeId, adId } = await setup("meta");
    const second = await pushAndComplete(t, "meta", adsetId, creativeId);
    await setAuthority(t, campaignId, { creative: "draft" });
    const first = await prune(t, "meta", adId);
    expect(first.status, first.text).toBe(202);
    expect(first.body.pendingId).toMatch(PENDING_ID);
    expectError(await prune(t, "meta", second), 409, "WOULD_LEAVE_ADSET_EMPTY");
  });

  it("off: prune and delete are denied with a verdict; the ad stays", async () => {
    const { t, campaignId, adsetId, creativeId, adId } = await setup("tiktok");
    await pushAndComplete(t, "tiktok", adsetId, creativeId);
    await setAuthority(t, campaignId, { creative: "off", structural: "off" }, "tiktok");
    for (const res of [await prune(t, "tiktok", adId), await lifecycle(t, "tiktok", adId, "delete")]) {
      expectError(res, 403, "AUTHORITY_DENIED");
      expect(res.text).toMatch(new RegExp(`"verdictId":"${VERDICT_ID.source.slice(1, -1)}"`));
    }
    expect((await readAd(t, "tiktok", adId)).status).toBe("active");
  });
});
