import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { CampaignObject } from "../../src/objects/campaign";
import { api, expectError } from "../helpers/http";
import { createCampaign, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  auditEvents,
  decide,
  expectVerdictsAudited,
  findPending,
  listPending,
  liveCampaign,
  PENDING_ID,
  type PendingItem,
  pendingPath,
  readCampaign,
  readJob,
  setAuthority,
  setDefaults,
  VERDICT_ID,
  write,
} from "../writes/fixtures";

const DAY_MS = 24 * 3600 * 1000;

/** Runs the campaign object's expiry sweep as if it were `at`. */
function expireAt(campaignId: string, at: Date): Promise<number> {
  const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaignId));
  return runInDurableObject(stub, (instance: CampaignObject) => instance.expireDue(at));
}

/** Queues one write on a campaign whose axes are draft; returns its ids. */
async function queue(
  tenant: TestTenant,
  action: "budget" | "pause" | "resume" | "delete",
  campaignId: string,
  body?: unknown,
) {
  const res = await write(tenant, action, campaignId, body === undefined ? {} : { body });
  expect(res.status, res.text).toBe(202);
  expect(res.body.pendingId, res.text).toMatch(PENDING_ID);
  return { pendingId: res.body.pendingId as string, jobId: res.body.jobId, verdictId: res.body.verdictId };
}

/** Follows nextCursor through every page; returns the pages' ids and sizes. */
async function walk(tenant: TestTenant, query: string) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const res = await listPending(tenant, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status, res.text).toBe(200);
    ids.push(...res.body.items.map((p) => p.pendingId));
    sizes.push(res.body.items.length);
    cursor = res.body.nextCursor;
    if (!cursor) return { ids, sizes };
  }
  throw new Error("pagination never ended");
}

describe("listing and counting", () => {
  let tenant: TestTenant;
  let other: TestTenant;
  let campaignId: string;
  const ids = {} as Record<"b1" | "b2" | "b3" | "pause" | "del" | "createY" | "createZ" | "tiktok", string>;
  let createYCampaign: string;

  beforeAll(async () => {
    tenant = await createTenant();
    other = await createTenant();
    campaignId = await liveCampaign(tenant, { mode: "draft", body: { name: "Draft campaign" } });
    ids.b1 = (await queue(tenant, "budget", campaignId, { dailyBudgetCents: 6000 })).pendingId;
    ids.b2 = (await queue(tenant, "budget", campaignId, { dailyBudgetCents: 7000 })).pendingId;
    ids.b3 = (await queue(tenant, "budget", campaignId, { dailyBudgetCents: 8000 })).pendingId;
    ids.pause = (await queue(tenant, "pause", campaignId)).pendingId;
    ids.del = (await queue(tenant, "delete", campaignId)).pendingId;

    const rejected = await decide(tenant, ids.b1, "reject", { body: { reason: "too much" } });
    expect(rejected.status, rejected.text).toBe(200);
    const approved = await decide(tenant, ids.b2, "approve");
    expect(approved.status, approved.text).toBe(200);
    expect((await waitForJob(tenant.keys.customer, approved.body.jobId)).status).toBe("completed");

    // Creates queue too once the customer sets the layer's structural axis to draft.
    await setDefaults(tenant, { defaults: { structural: "draft" } });
    const y = await createCampaign(tenant, "meta", {
      body: { name: "Create Y", campaignManagementMode: "draft", creativeMode: "draft" },
    });
    createYCampaign = y.campaignId;
    ids.createY = y.pendingId as string;
    const z = await createCampaign(tenant, "meta", {
      body: { name: "Create Z", campaignManagementMode: "draft", creativeMode: "draft" },
    });
    ids.createZ = z.pendingId as string;
    await setDefaults(tenant, { defaults: { structural: "draft" } }, "tiktok");
    const t = await createCampaign(tenant, "tiktok", {
      body: { name: "TikTok", campaignManagementMode: "draft", creativeMode: "draft" },
    });
    ids.tiktok = t.pendingId as string;
    for (const id of Object.values(ids)) expect(id).toMatch(PENDING_ID);
  });

  it("lists pending items by default, newest first, with every field", async () => {
    const res = await listPending(tenant);
    expect(res.status, res.text).toBe(200);
    expect(
      res.body.items.map((p) => p.pendingId),
      res.text,
    ).toEqual([ids.createZ, ids.createY, ids.del, ids.pause, ids.b3]);
    expect(res.body.nextCursor).toBeNull();

    const explicit = await listPending(tenant, "status=pending");
    expect(explicit.body.items.map((p) => p.pendingId)).toEqual(res.body.items.map((p) => p.pendingId));

    const b3 = res.body.items.find((p) => p.pendingId === ids.b3) as PendingItem;
    expect(b3, JSON.stringify(b3)).toMatchObject({
      pendingId: ids.b3,
      actionType: "update_budget",
      entityType: "campaign",
      entityId: campaignId,
      entityName: "Draft campaign",
      platform: "meta",
      currentValue: { dailyBudgetCents: 5000 },
      newValue: { dailyBudgetCents: 8000 },
      status: "pending",
      requestedBy: {
        actorType: "partner",
        actorOrganizationId: tenant.organizationId,
        actorApiKeyId: tenant.keyIds.partner,
      },
      decidedAt: null,
      dispatchedAt: null,
      dispatchFailureReason: null,
    });
    expect(Date.parse(b3.expiresAt) - Date.parse(b3.createdAt)).toBe(7 * DAY_MS);

    const pause = res.body.items.find((p) => p.pendingId === ids.pause) as PendingItem;
    expect(pause, JSON.stringify(pause)).toMatchObject({
      actionType: "pause_campaign",
      currentValue: { status: "active" },
      newValue: { status: "paused" },
    });
    const del = res.body.items.find((p) => p.pendingId === ids.del) as PendingItem;
    expect(del.actionType).toBe("delete_campaign");

    const createY = res.body.items.find((p) => p.pendingId === ids.createY) as PendingItem;
    expect(createY, JSON.stringify(createY)).toMatchObject({
      actionType: "create_campaign",
      entityId: createYCampaign,
      entityName: "Create Y",
      currentValue: null,
      newValue: expect.objectContaining({ name: "Create Y", dailyBudgetCents: 5000 }),
    });
  });

  it("filters by status", async () => {
    const rejected = await listPending(tenant, "status=rejected");
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.items.map((p) => p.pendingId)).toEqual([ids.b1]);
    expect(rejected.body.items[0]).toMatchObject({
      status: "rejected",
      decidedAt: expect.any(String),
      dispatchedAt: null,
    });

    const dispatched = await listPending(tenant, "status=dispatched");
    expect(
      dispatched.body.items.map((p) => p.pendingId),
      dispatched.text,
    ).toEqual([ids.b2]);
    expect(dispatched.body.items[0]).toMatchObject({
      status: "dispatched",
      decidedAt: expect.any(String),
      dispatchedAt: expect.any(String),
      decidedBy: { actorType: "user", actorApiKeyId: tenant.keyIds.customer },
    });

    for (const status of ["approved", "dispatch_failed", "expired"]) {
      const res = await listPending(tenant, `status=${status}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.items, res.text).toEqual([]);
    }
    expectError(await listPending(tenant, "status=bogus"), 422, "VALIDATION");
  });

  it("filters by actionType, alone and with a status", async () => {
    const creates = await listPending(tenant, "actionType=create_campaign");
    expect(
      creates.body.items.map((p) => p.pendingId),
      creates.text,
    ).toEqual([ids.createZ, ids.createY]);
    const budgets = await listPending(tenant, "actionType=update_budget");
    expect(
      budgets.body.items.map((p) => p.pendingId),
      budgets.text,
    ).toEqual([ids.b3]);
    const rejectedBudgets = await listPending(tenant, "actionType=update_budget&status=rejected");
    expect(
      rejectedBudgets.body.items.map((p) => p.pendingId),
      rejectedBudgets.text,
    ).toEqual([ids.b1]);
    const resumes = await listPending(tenant, "actionType=resume_campaign");
    expect(resumes.body.items, resumes.text).toEqual([]);
    expectError(await listPending(tenant, "actionType=archive_campaign"), 422, "VALIDATION");
  });

  it("pages with a cursor, without gaps or repeats", async () => {
    const all = [ids.createZ, ids.createY, ids.del, ids.pause, ids.b3];
    const byOne = await walk(tenant, "limit=1");
    expect(byOne.ids).toEqual(all);
    expect(byOne.sizes).toEqual([1, 1, 1, 1, 1]);
    const byTwo = await walk(tenant, "limit=2");
    expect(byTwo.ids).toEqual(all);
    expect(byTwo.sizes).toEqual([2, 2, 1]);
    const filtered = await walk(tenant, "limit=1&actionType=create_campaign");
    expect(filtered.ids).toEqual([ids.createZ, ids.createY]);
    const exact = await listPending(tenant, "limit=5");
    expect(exact.body.nextCursor, exact.text).toBeNull();
  });

  it.each(["0", "201", "-1", "abc", "1.5", ""])("rejects limit=%s with 422", async (limit) => {
    expectError(await listPending(tenant, `limit=${limit}`), 422, "VALIDATION");
  });

  it("accepts the limit bounds 1 and 200", async () => {
    for (const limit of [1, 200]) {
      const res = await listPending(tenant, `limit=${limit}`);
      expect(res.status, res.text).toBe(200);
    }
  });

  it.each([
    ["not base64", "%%%not-a-cursor"],
    ["base64 of non-JSON", btoa("hello world")],
    ["base64 JSON of the wrong shape", btoa(JSON.stringify({ page: 2 }))],
  ])("rejects a malformed cursor (%s) with 422", async (_label, cursor) => {
    expectError(await listPending(tenant, `cursor=${encodeURIComponent(cursor)}`), 422, "VALIDATION");
  });

  it("counts what the list would show", async () => {
    const count = (query: string, platform: "meta" | "tiktok" = "meta") =>
      api<{ count: number }>("GET", `${pendingPath(tenant, platform)}/count${query ? `?${query}` : ""}`, {
        key: tenant.keys.partner,
      });
    const all = await count("");
    expect(all.status, all.text).toBe(200);
    expect(all.body).toEqual({ count: 5 });
    expect((await count("status=pending")).body).toEqual({ count: 5 });
    expect((await count("status=rejected")).body).toEqual({ count: 1 });
    expect((await count("status=dispatched")).body).toEqual({ count: 1 });
    expect((await count("actionType=create_campaign")).body).toEqual({ count: 2 });
    expect((await count("actionType=update_budget&status=rejected")).body).toEqual({ count: 1 });
    expect((await count("", "tiktok")).body).toEqual({ count: 1 });
    expectError(await count("status=bogus"), 422, "VALIDATION");
  });

  it("keeps each platform's queue apart", async () => {
    const res = await listPending(tenant, "", "tiktok");
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((p) => p.pendingId)).toEqual([ids.tiktok]);
    expect(res.body.items[0]?.platform).toBe("tiktok");
  });

  it("lets a read-only key list and count, and hides the queue from other organizations", async () => {
    const readOnly = await listPending(tenant, "", "meta", tenant.keys.readOnly);
    expect(readOnly.status, readOnly.text).toBe(200);
    expect(readOnly.body.items).toHaveLength(5);
    expectError(await listPending(tenant, "", "meta", other.keys.customer), 404, "NOT_FOUND");
    expectError(
      await api("GET", `${pendingPath(tenant)}/count`, { key: other.keys.customer }),
      404,
      "NOT_FOUND",
    );
    const theirs = await listPending(other, "", "meta", other.keys.customer);
    expect(theirs.status, theirs.text).toBe(200);
    expect(theirs.body.items).toEqual([]);
  });

  it("answers 404 for an unknown platform", async () => {
    for (const path of ["pending", "pending/count"]) {
      const res = await api("GET", `/v1/projects/${tenant.projectId}/ads/snapchat/${path}`, {
        key: tenant.keys.partner,
      });
      expectError(res, 404, "NOT_FOUND");
    }
  });
});

describe("approving", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it("approves with a comment, dispatches through the queue, and marks the item dispatched", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "budget", campaignId, { dailyBudgetCents: 9000 });
    const res = await decide(tenant, queued.pendingId, "approve", { body: { comment: "looks right" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body, res.text).toEqual({
      pendingId: queued.pendingId,
      status: "approved",
      dispatched: false,
      dispatchedAt: null,
      verdictId: expect.stringMatching(VERDICT_ID),
      jobId: queued.jobId,
    });
    expect(res.body.verdictId).not.toBe(queued.verdictId);

    const job = await waitForJob(tenant.keys.customer, queued.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", kind: "ads_update_budget" });
    expect((await readCampaign(tenant, campaignId)).dailyBudgetCents).toBe(9000);
    const item = await findPending(tenant, queued.pendingId, "dispatched");
    expect(item, "the item should be listed as dispatched").toMatchObject({
      status: "dispatched",
      decidedAt: expect.any(String),
      dispatchedAt: expect.any(String),
      decidedBy: { actorType: "user", actorApiKeyId: tenant.keyIds.customer },
    });
    expect(await findPending(tenant, queued.pendingId, "pending")).toBeUndefined();
    await expectVerdictsAudited(tenant, [queued.verdictId, res.body.verdictId]);
  });

  it("approves without a body", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "pause", campaignId);
    const res = await decide(tenant, queued.pendingId, "approve");
    expect(res.status, res.text).toBe(200);
    expect(res.body.status).toBe("approved");
    expect((await waitForJob(tenant.keys.customer, queued.jobId)).status).toBe("completed");
    expect((await readCampaign(tenant, campaignId)).status).toBe("paused");
  });

  it("rejects an approval body with unknown fields (422) and leaves the item pending", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "pause", campaignId);
    expectError(
      await decide(tenant, queued.pendingId, "approve", { body: { comment: "ok", force: true } }),
      422,
      "VALIDATION",
    );
    expectError(
      await decide(tenant, queued.pendingId, "approve", { body: { comment: 42 } }),
      422,
      "VALIDATION",
    );
    expect(await findPending(tenant, queued.pendingId, "pending")).toBeDefined();
  });

  it("approving a queued create makes the campaign active with a platformCampaignId", async () => {
    await setDefaults(tenant, { defaults: { structural: "draft" } }, "tiktok");
    const created = await createCampaign(tenant, "tiktok", {
      body: { campaignManagementMode: "draft", creativeMode: "draft" },
    });
    expect(created.pendingId).toMatch(PENDING_ID);
    const before = await readCampaign(tenant, created.campaignId, "tiktok");
    expect(before).toMatchObject({ status: "awaiting_approval", platformCampaignId: null });
    const pendingJob = await readJob(tenant.keys.partner, created.jobId);
    expect(pendingJob).toMatchObject({ status: "running", stage: "awaiting_approval" });

    const res = await decide(tenant, created.pendingId as string, "approve", { platform: "tiktok" });
    expect(res.status, res.text).toBe(200);
    expect(res.body.jobId).toBe(created.jobId);
    const job = await waitForJob(tenant.keys.partner, created.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({
      status: "completed",
      kind: "ads_create_campaign",
      result: { platformCampaignId: expect.stringMatching(/^\d+$/) },
    });
    const after = await readCampaign(tenant, created.campaignId, "tiktok");
    expect(after.status).toBe("active");
    expect(after.platformCampaignId).toBe(job.result?.platformCampaignId);
    expect(await findPending(tenant, created.pendingId as string, "dispatched", "tiktok")).toBeDefined();
  });

  it("records the values when queued and applies the proposal even if the campaign changed since", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "budget", campaignId, { dailyBudgetCents: 7000 });
    const listed = await findPending(tenant, queued.pendingId, "pending");
    expect(listed, "queued item").toMatchObject({
      currentValue: { dailyBudgetCents: 5000 },
      newValue: { dailyBudgetCents: 7000 },
    });

    // Meanwhile the customer takes tactical to auto and sets the budget directly.
    await setAuthority(tenant, campaignId, { tactical: "auto" });
    const direct = await write(tenant, "budget", campaignId, {
      key: tenant.keys.customer,
      body: { dailyBudgetCents: 6000 },
    });
    expect(direct.status, direct.text).toBe(202);
    expect(direct.body.pendingId).toBeUndefined();
    expect((await waitForJob(tenant.keys.customer, direct.body.jobId)).status).toBe("completed");
    expect((await readCampaign(tenant, campaignId)).dailyBudgetCents).toBe(6000);

    // The old proposal still says what it said when it was queued…
    const still = await findPending(tenant, queued.pendingId, "pending");
    expect(still).toMatchObject({
      currentValue: { dailyBudgetCents: 5000 },
      newValue: { dailyBudgetCents: 7000 },
    });
    // …and approving it applies it.
    const res = await decide(tenant, queued.pendingId, "approve");
    expect(res.status, res.text).toBe(200);
    expect((await waitForJob(tenant.keys.customer, queued.jobId)).status).toBe("completed");
    expect((await readCampaign(tenant, campaignId)).dailyBudgetCents).toBe(7000);
    expect(await findPending(tenant, queued.pendingId, "dispatched")).toMatchObject({
      currentValue: { dailyBudgetCents: 5000 },
      newValue: { dailyBudgetCents: 7000 },
    });
  });

  it("denies an approval while the kill switch is active", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t, { mode: "draft" });
    const queued = await queue(t, "pause", campaignId);
    await setDefaults(t, { killSwitchActive: true });
    const res = await decide(t, queued.pendingId, "approve");
    expect(expectError(res, 403, "AUTHORITY_DENIED"), res.text).toMatchObject({
      verdictId: expect.stringMatching(VERDICT_ID),
      reason: "kill_switch_active",
    });
    expect(await findPending(t, queued.pendingId, "pending")).toBeDefined();
    expect((await readJob(t.keys.partner, queued.jobId)).stage).toBe("awaiting_approval");
    await setDefaults(t, { killSwitchActive: false });
    const again = await decide(t, queued.pendingId, "approve");
    expect(again.status, again.text).toBe(200);
  });

  it("denies a partner's approval while partner writes are off, not the customer's", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t, { mode: "draft" });
    const queued = await queue(t, "pause", campaignId);
    await setDefaults(t, { partnerWritesEnabled: false });
    const res = await decide(t, queued.pendingId, "approve", { key: t.keys.partner });
    expect(expectError(res, 403, "AUTHORITY_DENIED").reason, res.text).toBe("partner_writes_disabled");
    const customer = await decide(t, queued.pendingId, "approve");
    expect(customer.status, customer.text).toBe(200);
  });
});

describe("rejecting", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it("rejects with a reason: the job is canceled and nothing changes", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "pause", campaignId);
    const res = await decide(tenant, queued.pendingId, "reject", { body: { reason: "not now" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body, res.text).toEqual({
      pendingId: queued.pendingId,
      status: "rejected",
      dispatched: false,
      dispatchedAt: null,
      verdictId: expect.stringMatching(VERDICT_ID),
      jobId: queued.jobId,
    });
    const job = await readJob(tenant.keys.partner, queued.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "canceled", stage: null });
    expect(await findPending(tenant, queued.pendingId, "rejected")).toMatchObject({
      status: "rejected",
      decidedAt: expect.any(String),
      dispatchedAt: null,
    });
    expect((await readCampaign(tenant, campaignId)).status).toBe("active");
    await expectVerdictsAudited(tenant, [res.body.verdictId]);
  });

  it.each([
    ["no body", undefined],
    ["an empty object", {}],
    ["an empty reason", { reason: "" }],
    ["a non-string reason", { reason: 1 }],
  ])("requires a reason (%s → 422)", async (_label, body) => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "budget", campaignId, { dailyBudgetCents: 6500 });
    expectError(await decide(tenant, queued.pendingId, "reject", { body }), 422, "VALIDATION");
    expect(await findPending(tenant, queued.pendingId, "pending")).toBeDefined();
    expect((await readJob(tenant.keys.partner, queued.jobId)).status).toBe("running");
  });

  it("rejecting a queued create leaves the campaign rejected and its job canceled", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    const created = await createCampaign(t, "meta", {
      body: { campaignManagementMode: "draft", creativeMode: "draft" },
    });
    expect(created.pendingId).toMatch(PENDING_ID);
    const res = await decide(t, created.pendingId as string, "reject", {
      body: { reason: "wrong audience" },
    });
    expect(res.status, res.text).toBe(200);
    expect((await readJob(t.keys.partner, created.jobId)).status).toBe("canceled");
    const campaign = await readCampaign(t, created.campaignId);
    expect(campaign).toMatchObject({ status: "rejected", platformCampaignId: null });
  });
});

describe.concurrent("already decided", () => {
  it.each([
    ["approve", "approve"],
    ["approve", "reject"],
    ["reject", "approve"],
    ["reject", "reject"],
  ] as const)("%s then %s → 409 CONFLICT", async (first, second) => {
    const tenant = await createTenant();
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "pause", campaignId);
    const body = (d: "approve" | "reject") => (d === "reject" ? { reason: "no" } : { comment: "yes" });
    const one = await decide(tenant, queued.pendingId, first, { body: body(first) });
    expect(one.status, one.text).toBe(200);
    expectError(await decide(tenant, queued.pendingId, second, { body: body(second) }), 409, "CONFLICT");
    const job = await waitForJob(tenant.keys.partner, queued.jobId);
    expect(job.status).toBe(first === "approve" ? "completed" : "canceled");
  });
});

describe("expiry", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it("does not expire anything before seven days", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "budget", campaignId, { dailyBudgetCents: 6100 });
    expect(await expireAt(campaignId, new Date())).toBe(0);
    expect(await expireAt(campaignId, new Date(Date.now() + 6 * DAY_MS))).toBe(0);
    expect(await findPending(tenant, queued.pendingId, "pending")).toBeDefined();
    expect((await readJob(tenant.keys.partner, queued.jobId)).status).toBe("running");
  });

  it("expires an unapproved action after seven days: status expired, job canceled", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "budget", campaignId, { dailyBudgetCents: 6200 });
    expect(await expireAt(campaignId, new Date(Date.now() + 8 * DAY_MS))).toBe(1);

    const item = await findPending(tenant, queued.pendingId, "expired");
    expect(item, "the item should be listed as expired").toMatchObject({
      status: "expired",
      dispatchedAt: null,
    });
    expect(await findPending(tenant, queued.pendingId, "pending")).toBeUndefined();
    const job = await readJob(tenant.keys.partner, queued.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "canceled", stage: null });
    expect((await readCampaign(tenant, campaignId)).dailyBudgetCents).toBe(5000);
    expectError(await decide(tenant, queued.pendingId, "approve"), 409, "CONFLICT");
    expectError(
      await decide(tenant, queued.pendingId, "reject", { body: { reason: "late" } }),
      409,
      "CONFLICT",
    );
  });

  it("an expired queued create leaves the campaign rejected", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    const created = await createCampaign(t, "meta", {
      body: { campaignManagementMode: "draft", creativeMode: "draft" },
    });
    expect(await expireAt(created.campaignId, new Date(Date.now() + 8 * DAY_MS))).toBe(1);
    expect((await readJob(t.keys.partner, created.jobId)).status).toBe("canceled");
    expect((await readCampaign(t, created.campaignId)).status).toBe("rejected");
  });

  it("lists an overdue item as expired even before its campaign object recorded it", async () => {
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "pause", campaignId);
    // As if seven days had passed without the object's alarm having run yet.
    await env.DB.prepare("UPDATE pending_actions SET expires_at = ? WHERE id = ?")
      .bind(new Date(Date.now() - 60_000).toISOString(), queued.pendingId)
      .run();
    expect(await findPending(tenant, queued.pendingId, "pending")).toBeUndefined();
    expect(await findPending(tenant, queued.pendingId, "expired")).toMatchObject({ status: "expired" });
    const count = await api<{ count: number }>("GET", `${pendingPath(tenant)}/count?status=expired`, {
      key: tenant.keys.partner,
    });
    expect(count.status, count.text).toBe(200);
    expect(count.body.count).toBeGreaterThanOrEqual(1);
  });
});

describe("concurrent decisions", () => {
  it("two concurrent approvals: exactly one 200, one 409, one dispatch", async () => {
    const tenant = await createTenant();
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "budget", campaignId, { dailyBudgetCents: 8800 });
    const results = await Promise.all([
      decide(tenant, queued.pendingId, "approve"),
      decide(tenant, queued.pendingId, "approve", { key: tenant.keys.partner }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, results.map((r) => r.text).join("\n")).toEqual([200, 409]);
    const conflict = results.find((r) => r.status === 409);
    if (conflict) expectError(conflict, 409, "CONFLICT");

    const job = await waitForJob(tenant.keys.customer, queued.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", attempts: 1 });
    expect((await readCampaign(tenant, campaignId)).dailyBudgetCents).toBe(8800);
    expect(await findPending(tenant, queued.pendingId, "dispatched")).toBeDefined();

    const completions = await auditEvents(tenant, "job.completed");
    // TODO(audit-log): when GET /v1/audit-log is not routed, completions is null and this check is skipped.
    if (completions !== null) {
      expect(completions.filter((e) => e.data.jobId === queued.jobId)).toHaveLength(1);
      const approvals = await auditEvents(tenant, "pending.approved");
      expect(approvals?.filter((e) => e.data.pendingId === queued.pendingId)).toHaveLength(1);
    }
  });

  it("a concurrent approve and reject: exactly one wins", async () => {
    const tenant = await createTenant();
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    const queued = await queue(tenant, "pause", campaignId);
    const [approve, reject] = await Promise.all([
      decide(tenant, queued.pendingId, "approve"),
      decide(tenant, queued.pendingId, "reject", { body: { reason: "no" } }),
    ]);
    expect([approve.status, reject.status].sort(), `${approve.text}\n${reject.text}`).toEqual([200, 409]);
    const job = await waitForJob(tenant.keys.customer, queued.jobId);
    expect(job.status).toBe(approve.status === 200 ? "completed" : "canceled");
    expect((await readCampaign(tenant, campaignId)).status).toBe(
      approve.status === 200 ? "paused" : "active",
    );
  });
});

describe("security", () => {
  let tenant: TestTenant;
  let other: TestTenant;
  let pendingId: string;
  let jobId: string;
  beforeAll(async () => {
    tenant = await createTenant();
    other = await createTenant();
    const campaignId = await liveCampaign(tenant, { mode: "draft" });
    ({ pendingId, jobId } = await queue(tenant, "pause", campaignId));
  });

  it("needs ads:write:pending to decide (403 FORBIDDEN_SCOPE)", async () => {
    const approve = await decide(tenant, pendingId, "approve", { key: tenant.keys.readOnly });
    expect(expectError(approve, 403, "FORBIDDEN_SCOPE"), approve.text).toEqual({
      requiredScope: "ads:write:pending",
    });
    const reject = await decide(tenant, pendingId, "reject", {
      key: tenant.keys.readOnly,
      body: { reason: "x" },
    });
    expect(expectError(reject, 403, "FORBIDDEN_SCOPE"), reject.text).toEqual({
      requiredScope: "ads:write:pending",
    });
  });

  it("answers 404 for another organization's pending action", async () => {
    // Through the other organization's own project…
    expectError(await decide(other, pendingId, "approve", { key: other.keys.customer }), 404, "NOT_FOUND");
    expectError(
      await decide(other, pendingId, "reject", { key: other.keys.customer, body: { reason: "x" } }),
      404,
      "NOT_FOUND",
    );
    // …and through ours.
    expectError(await decide(tenant, pendingId, "approve", { key: other.keys.customer }), 404, "NOT_FOUND");
  });

  it("answers 404 for malformed and unknown pending ids and for the wrong platform", async () => {
    for (const id of ["nope", "pa_nope", "cmp_01JD9999999999999999999999", "pa_01JD9999999999999999999999"]) {
      expectError(await decide(tenant, id, "approve"), 404, "NOT_FOUND");
      expectError(await decide(tenant, id, "reject", { body: { reason: "x" } }), 404, "NOT_FOUND");
    }
    expectError(await decide(tenant, pendingId, "approve", { platform: "tiktok" }), 404, "NOT_FOUND");
  });

  it("answers 404 for an unknown platform", async () => {
    for (const decision of ["approve", "reject"]) {
      const res = await api(
        "POST",
        `/v1/projects/${tenant.projectId}/ads/snapchat/pending/${pendingId}/${decision}`,
        {
          key: tenant.keys.customer,
          body: decision === "reject" ? { reason: "x" } : {},
        },
      );
      expectError(res, 404, "NOT_FOUND");
    }
  });

  it("left the item untouched", async () => {
    expect(await findPending(tenant, pendingId, "pending")).toBeDefined();
    expect((await readJob(tenant.keys.partner, jobId)).stage).toBe("awaiting_approval");
  });
});
