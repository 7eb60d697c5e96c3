/**
 * An ad account's sync is a job its own object owns: pollable at GET /v1/jobs/:jobId with
 * counts, one at a time per account, resumed at the page it was on after a failure, and
 * idempotent; a campaign the complete listing no longer shows is marked deleted with a drift
 * event, its pinned authority untouched.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import { type AccountSyncObject, accountSyncObject } from "../../src/objects/account-sync";
import { liveSyncSinks } from "../../src/objects/account-sync/job";
import { api } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const GRAPH = "https://graph.facebook.com/v25.0";
const META_EXTERNAL = "1234567890123";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function liveMeta(t: TestTenant) {
  const id = t.adAccounts.meta;
  await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?").bind(id).run();
  await storeCredential(env, id, { kind: "oauth_token", accessToken: "meta-token", expiresAt: null });
  return id;
}

const remote = (id: string, name: string) => ({
  id,
  name,
  status: "ACTIVE",
  daily_budget: "5000",
  objective: "OUTCOME_SALES",
});

/**
 * The Meta listing, two campaigns per page: `failPage2` answers the second page with a 500
 * that many times first. Counts how often each page was asked for.
 */
function serveListing(listing: { rows: ReturnType<typeof remote>[]; failPage2: number }) {
  const hits = { page1: 0, page2: 0 };
  server.use(
    http.get(`${GRAPH}/act_${META_EXTERNAL}/campaigns`, ({ request }) => {
      const after = new URL(request.url).searchParams.get("after");
      if (after === null) {
        hits.page1 += 1;
        const more = listing.rows.length > 2;
        return HttpResponse.json({
          data: listing.rows.slice(0, 2),
          ...(more ? { paging: { cursors: { after: "P2" }, next: `${GRAPH}/next-page` } } : {}),
        });
      }
      expect(after).toBe("P2");
      hits.page2 += 1;
      if (listing.failPage2 > 0) {
        listing.failPage2 -= 1;
        return HttpResponse.json({ error: { message: "boom" } }, { status: 500 });
      }
      return HttpResponse.json({ data: listing.rows.slice(2) });
    }),
    http.get(`${GRAPH}/:campaignId/adsets`, ({ params }) =>
      HttpResponse.json({
        data: [{ id: `${String(params.campaignId)}01`, name: "ad set", status: "ACTIVE" }],
      }),
    ),
  );
  return hits;
}

async function startSync(t: TestTenant, id: string) {
  const res = await api<{ jobId: string; status: string; alreadyRunning: boolean }>(
    "POST",
    `/v1/projects/${t.projectId}/ads/ad-accounts/${id}/sync`,
    { key: t.keys.partner },
  );
  expect(res.status, res.text).toBe(202);
  expect(res.headers.get("Location")).toBe(`/v1/jobs/${res.body.jobId}`);
  return res.body;
}

async function finished(t: TestTenant, jobId: string) {
  const job = await waitForJob(t.keys.partner, jobId);
  expect(job, JSON.stringify(job)).toMatchObject({ kind: "sync_account", status: "completed" });
  return job as unknown as { result: Record<string, number>; attempts: number; adAccountId: string };
}

async function campaignRows(id: string) {
  const { results } = await env.DB.prepare(
    "SELECT id, platform_campaign_id, status FROM campaigns WHERE ad_account_id = ? ORDER BY platform_campaign_id",
  )
    .bind(id)
    .all<{ id: string; platform_campaign_id: string; status: string }>();
  return results;
}

describe("the sync job", () => {
  it("resumes at the failed page, answers a second start with the running job, and is pollable to its counts", async () => {
    const t = await createTenant();
    const id = await liveMeta(t);
    const hits = serveListing({
      rows: [remote("501", "One"), remote("502", "Two"), remote("503", "Three")],
      failPage2: 1,
    });
    const first = await startSync(t, id);
    expect(first).toMatchObject({ status: "running", alreadyRunning: false });
    // Page 2 failed once: the job waits on its backoff, and a second start answers it.
    const again = await startSync(t, id);
    expect(again).toMatchObject({ jobId: first.jobId, status: "running", alreadyRunning: true });
    const job = await finished(t, first.jobId);
    expect(job.adAccountId).toBe(id);
    expect(job.result).toEqual({
      campaignsSeen: 3,
      campaignsCreated: 3,
      campaignsUpdated: 0,
      campaignsUnchanged: 0,
      campaignsSkipped: 0,
      campaignsMarkedDeleted: 0,
      adSetsSeen: 3,
      driftEvents: 0,
      pages: 2,
    });
    // Resumed at page 2, not started over.
    expect(hits).toEqual({ page1: 1, page2: 2 });
    expect((await campaignRows(id)).map((r) => r.platform_campaign_id)).toEqual(["501", "502", "503"]);
  });

  it("syncing twice creates nothing new", async () => {
    const t = await createTenant();
    const id = await liveMeta(t);
    serveListing({
      rows: [remote("601", "One"), remote("602", "Two"), remote("603", "Three")],
      failPage2: 0,
    });
    expect((await finished(t, (await startSync(t, id)).jobId)).result).toMatchObject({ campaignsCreated: 3 });
    const before = await campaignRows(id);
    const second = await finished(t, (await startSync(t, id)).jobId);
    expect(second.result).toMatchObject({
      campaignsSeen: 3,
      campaignsCreated: 0,
      campaignsUnchanged: 3,
      campaignsMarkedDeleted: 0,
      driftEvents: 0,
    });
    expect(await campaignRows(id)).toEqual(before);
  });

  it("marks a campaign the listing no longer shows deleted, with a drift event, pinned authority untouched", async () => {
    const t = await createTenant();
    const id = await liveMeta(t);
    const listing = {
      rows: [remote("701", "Stays"), remote("702", "Vanishes"), remote("703", "Also stays")],
      failPage2: 0,
    };
    serveListing(listing);
    await finished(t, (await startSync(t, id)).jobId);
    const vanishing = (await campaignRows(id)).find((r) => r.platform_campaign_id === "702");
    const path = `/v1/projects/${t.projectId}/ads/meta/campaigns/${vanishing?.id}`;
    const pin = await api("PATCH", `${path}/authority`, {
      key: t.keys.customer,
      body: { authority: { tactical: "draft" } },
    });
    expect(pin.status, pin.text).toBe(200);

    listing.rows = [remote("701", "Stays"), remote("703", "Also stays")];
    const job = await finished(t, (await startSync(t, id)).jobId);
    expect(job.result).toMatchObject({
      campaignsSeen: 2,
      campaignsMarkedDeleted: 1,
      driftEvents: 1,
      campaignsCreated: 0,
    });
    const read = await api<Record<string, unknown>>("GET", path, { key: t.keys.partner });
    expect(read.body).toMatchObject({
      status: "deleted",
      authoritySource: "per_campaign",
      authority: { tactical: "draft" },
    });
    const drift = await api<{ items: { data: Record<string, unknown> }[] }>(
      "GET",
      "/v1/audit-log?eventType=campaign.drift_detected",
      { key: t.keys.customer },
    );
    expect(drift.body.items.map((e) => e.data)).toContainEqual(
      expect.objectContaining({
        platformCampaignId: "702",
        reason: "not_on_platform",
        changes: [{ field: "status", from: "active", to: "deleted" }],
      }),
    );
    // A third sync finds nothing more to mark.
    expect((await finished(t, (await startSync(t, id)).jobId)).result).toMatchObject({
      campaignsMarkedDeleted: 0,
      driftEvents: 0,
    });
  });

  it("a platform auth error fails the job with PLATFORM_AUTH and marks the account expired with its audit event", async () => {
    const t = await createTenant();
    const id = await liveMeta(t);
    server.use(
      http.get(`${GRAPH}/act_${META_EXTERNAL}/campaigns`, () =>
        HttpResponse.json(
          { error: { code: 190, error_subcode: 463, message: "Session has expired" } },
          { status: 400 },
        ),
      ),
    );
    const { jobId } = await startSync(t, id);
    const job = await waitForJob(t.keys.partner, jobId);
    expect(job).toMatchObject({ kind: "sync_account", status: "failed", error: { code: "PLATFORM_AUTH" } });
    const account = await api<{ tokenStatus: string }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/ad-accounts/${id}`,
      {
        key: t.keys.partner,
      },
    );
    expect(account.body.tokenStatus).toBe("expired");
    const audit = await api<{ items: { data: Record<string, unknown> }[] }>(
      "GET",
      "/v1/audit-log?eventType=ad_account.token_invalid",
      { key: t.keys.customer },
    );
    expect(audit.body.items[0]?.data).toMatchObject({
      adAccountId: id,
      tokenStatus: "expired",
      source: "sync",
    });
    // A later sync is refused: the account's platform OAuth is not connected.
    const again = await api("POST", `/v1/projects/${t.projectId}/ads/ad-accounts/${id}/sync`, {
      key: t.keys.partner,
    });
    expect(again.status).toBe(404);
  });

  it("with D1 down the job still runs to its end; its D1 copy (what polling reads) lands on redelivery", async () => {
    const t = await createTenant();
    const id = t.adAccounts.tiktok;
    const stub = accountSyncObject(env, id);
    await runInDurableObject(stub, (o: AccountSyncObject) => {
      o.sinks = {
        ...liveSyncSinks(env),
        projectJobs: async () => {
          throw new Error("D1 down");
        },
      };
    });
    const { jobId } = await startSync(t, id);
    expect((await api("GET", `/v1/jobs/${jobId}`, { key: t.keys.partner })).status).toBe(404);
    await runInDurableObject(stub, async (o: AccountSyncObject) => {
      expect(o.job()).toMatchObject({ jobId, status: "completed", result: { campaignsCreated: 3 } });
      o.sinks = liveSyncSinks(env);
      await o.deliverDue(Date.now() + 3_600_000);
    });
    expect((await finished(t, jobId)).result).toMatchObject({ campaignsCreated: 3, pages: 2 });
  });
});
