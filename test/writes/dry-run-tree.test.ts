/**
 * `?dryRun=true` on the writes below the campaign: ad pushes, creative replace and prune, ad
 * lifecycle, Apple keywords; the ad set create, the schedules and the bid strategy. In `auto`, `draft` and `off` the dry run's decision is what the
 * real call then does, and the dry run itself changes nothing.
 */
import { describe, expect, it } from "vitest";
import { adPath, campaignWithAdset, createCreative, defaultAdset, pushAndComplete } from "../ads/fixtures";
import { api } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { dryThenReal, expectSameRefusal } from "./dry-run-fixtures";
import { liveCampaign, type Mode, setAuthority } from "./fixtures";

const decisionFor = { auto: "allow", draft: "queue", off: "deny" } as const;

const expected = (mode: Mode, axis: "creative" | "structural") => ({
  decision: decisionFor[mode],
  axis,
  currentMode: mode,
  ...(mode === "off" ? { reason: "authority_axis_off" } : {}),
});

/** Waits for an accepted auto write to finish, so the next step starts from a settled tree. */
async function finish(t: TestTenant, res: { status: number; body: { jobId: string; pendingId?: string } }) {
  if (res.status === 202 && !res.body.pendingId) await waitForJob(t.keys.partner, res.body.jobId);
}

describe.concurrent("ad writes", () => {
  it.each(["auto", "draft", "off"] as const)(
    "%s: each ad write's dry run is what the real call does",
    async (mode) => {
      const t = await createTenant();
      const { campaignId, adsetId } = await campaignWithAdset(t, "meta");
      const creativeId = await createCreative(t);
      const other = await createCreative(t, { name: "Autumn sale" });
      const first = await pushAndComplete(t, "meta", adsetId, creativeId);
      const second = await pushAndComplete(t, "meta", adsetId, creativeId);
      await setAuthority(t, campaignId, { creative: mode, structural: mode });
      const watched = [{ id: campaignId, platform: "meta" as const }];
      const pushPath = `/v1/projects/${t.projectId}/ads/meta/adsets/${adsetId}/ads`;
      await finish(
        t,
        await dryThenReal(
          t,
          { method: "POST", path: pushPath, body: { creativeId } },
          expected(mode, "creative"),
          watched,
        ),
      );
      const replace = {
        method: "PUT",
        path: `${adPath(t, "meta", first)}/creative`,
        body: { creativeId: other },
      };
      await finish(t, await dryThenReal(t, replace, expected(mode, "creative"), watched));
      const prune = { method: "DELETE", path: `${adPath(t, "meta", second)}/creative` };
      await finish(t, await dryThenReal(t, prune, expected(mode, "creative"), watched));
      const pause = { method: "POST", path: `${adPath(t, "meta", first)}/pause` };
      await finish(t, await dryThenReal(t, pause, expected(mode, "structural"), watched));
      if (mode === "auto") {
        const resume = { method: "POST", path: `${adPath(t, "meta", first)}/resume` };
        await finish(t, await dryThenReal(t, resume, expected(mode, "structural"), watched));
      }
      const remove = { method: "DELETE", path: adPath(t, "meta", first) };
      await finish(t, await dryThenReal(t, remove, expected(mode, "structural"), watched));
    },
  );

  it("refuses what the real call refuses: 409 WOULD_LEAVE_ADSET_EMPTY, 404, 422", async () => {
    const t = await createTenant();
    const { adsetId } = await campaignWithAdset(t, "tiktok");
    const creativeId = await createCreative(t);
    const only = await pushAndComplete(t, "tiktok", adsetId, creativeId);
    const prune = { method: "DELETE", path: `${adPath(t, "tiktok", only)}/creative` };
    await expectSameRefusal(t, prune, 409, "WOULD_LEAVE_ADSET_EMPTY");
    const unknown = { method: "POST", path: `${adPath(t, "tiktok", "ad_01JD2V4W3X5Y6Z7A8B9C0D1E2F")}/pause` };
    await expectSameRefusal(t, unknown, 404, "NOT_FOUND");
    const pushPath = `/v1/projects/${t.projectId}/ads/tiktok/adsets/${adsetId}/ads`;
    await expectSameRefusal(
      t,
      { method: "POST", path: pushPath, body: { creativeId, extra: 1 } },
      422,
      "VALIDATION",
    );
  });
});

describe.concurrent("Apple keyword writes", () => {
  it.each(["auto", "draft", "off"] as const)(
    "%s: each keyword write's dry run is what the real call does",
    async (mode) => {
      const t = await createTenant();
      const campaignId = await liveCampaign(t, { platform: "apple" });
      const { adsetId } = await defaultAdset(t, campaignId);
      const path = `/v1/projects/${t.projectId}/ads/apple/adsets/${adsetId}/keywords`;
      // One keyword exists before the mode changes, for the update and the delete.
      const seeded = await api<{ jobId: string }>("POST", path, {
        key: t.keys.partner,
        body: { keywords: [{ text: "trail running", matchType: "exact", bidAmountCents: 150 }] },
      });
      expect(seeded.status, seeded.text).toBe(202);
      const job = (await waitForJob(t.keys.partner, seeded.body.jobId)) as unknown as {
        result: { keywords: { keywordId: string }[] };
      };
      const keywordId = job.result.keywords[0]?.keywordId as string;
      await setAuthority(t, campaignId, { creative: mode }, "apple");
      const watched = [{ id: campaignId, platform: "apple" as const }];
      const add = { method: "POST", path, body: { keywords: [{ text: "hiking app", matchType: "broad" }] } };
      await finish(t, await dryThenReal(t, add, expected(mode, "creative"), watched));
      const update = { method: "PATCH", path, body: { keywords: [{ keywordId, bidAmountCents: 200 }] } };
      await finish(t, await dryThenReal(t, update, expected(mode, "creative"), watched));
      const remove = { method: "DELETE", path, body: { keywords: [{ keywordId }] } };
      await finish(t, await dryThenReal(t, remove, expected(mode, "creative"), watched));
      // A bulk outside 1–200 is refused alike.
      await expectSameRefusal(t, { method: "POST", path, body: { keywords: [] } }, 422, "VALIDATION");
    },
  );
});

describe.concurrent("ad set create, schedules and bid strategy", () => {
  const END = "2031-06-01T00:00:00.000Z";
  it.each(["auto", "draft", "off"] as const)(
    "%s: each write's dry run is what the real call does",
    async (mode) => {
      const t = await createTenant();
      const { campaignId, adsetId } = await campaignWithAdset(t, "meta");
      await setAuthority(t, campaignId, { structural: mode, tactical: mode });
      const watched = [{ id: campaignId, platform: "meta" as const }];
      const campaign = `/v1/projects/${t.projectId}/ads/meta/campaigns/${campaignId}`;
      const create = { method: "POST", path: `${campaign}/adsets`, body: { name: "Second ad set" } };
      await finish(t, await dryThenReal(t, create, expected(mode, "structural"), watched));
      const tactical = { ...expected(mode, "structural"), axis: "tactical" };
      const adsetSchedule = {
        method: "PATCH",
        path: `/v1/projects/${t.projectId}/ads/meta/adsets/${adsetId}/schedule`,
        body: { endTime: END },
      };
      await finish(t, await dryThenReal(t, adsetSchedule, tactical, watched));
      const campaignSchedule = { method: "PATCH", path: `${campaign}/schedule`, body: { endTime: END } };
      await finish(t, await dryThenReal(t, campaignSchedule, tactical, watched));
      const bid = {
        method: "PATCH",
        path: `${campaign}/bid-strategy`,
        body: { type: "COST_CAP", bidAmountCents: 500 },
      };
      await finish(t, await dryThenReal(t, bid, tactical, watched));
    },
  );
});
