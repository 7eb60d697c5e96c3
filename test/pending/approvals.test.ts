/**
 * Approving is the customer's decision (SPEC §3 "Approvals"): partner keys approve only while
 * the customer turned on `partnerApprovalsEnabled`, never an action they requested, and every
 * approval is judged by the gate as it stands when it is made.
 */
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createCampaign, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  auditEvents,
  decide,
  findPending,
  liveCampaign,
  PENDING_ID,
  readJob,
  setAuthority,
  setDefaults,
  VERDICT_ID,
  write,
} from "../writes/fixtures";

const defaultsPath = (t: TestTenant) => `/v1/projects/${t.projectId}/ads/meta/defaults`;

async function queuedPause(t: TestTenant, key?: string) {
  const campaignId = await liveCampaign(t, { mode: "draft" });
  const res = await write(t, "pause", campaignId, key ? { key } : {});
  expect(res.status, res.text).toBe(202);
  expect(res.body.pendingId, res.text).toMatch(PENDING_ID);
  return { campaignId, pendingId: res.body.pendingId as string, jobId: res.body.jobId };
}

describe("who may approve", () => {
  it("a partner cannot approve its own queued create by default; the customer can", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    const created = await createCampaign(t, "meta", { body: { campaignManagementMode: "draft" } });
    expect(created.pendingId).toMatch(PENDING_ID);
    const pendingId = created.pendingId as string;
    const res = await decide(t, pendingId, "approve", { key: t.keys.partner });
    expect(expectError(res, 403, "AUTHORITY_DENIED"), res.text).toMatchObject({
      verdictId: expect.stringMatching(VERDICT_ID),
      reason: "partner_approvals_disabled",
    });
    expect((await readJob(t.keys.partner, created.jobId)).stage).toBe("awaiting_approval");
    expect(await findPending(t, pendingId, "pending")).toBeDefined();
    const verdicts = (await auditEvents(t, "verdict")) ?? [];
    const deniedId = (res.body as unknown as { error: { details: { verdictId: string } } }).error.details
      .verdictId;
    const denied = verdicts.find((v) => v.verdictId === deniedId);
    expect(denied?.data, JSON.stringify(verdicts)).toMatchObject({
      decision: "deny",
      reason: "partner_approvals_disabled",
    });

    const customer = await decide(t, pendingId, "approve");
    expect(customer.status, customer.text).toBe(200);
    expect((await waitForJob(t.keys.partner, created.jobId)).status).toBe("completed");
  });

  it("a partner cannot reject either while partner approvals are off", async () => {
    const t = await createTenant();
    const queued = await queuedPause(t);
    const res = await decide(t, queued.pendingId, "reject", {
      key: t.keys.partner,
      body: { reason: "withdrawn" },
    });
    expect(expectError(res, 403, "AUTHORITY_DENIED").reason, res.text).toBe("partner_approvals_disabled");
    expect(await findPending(t, queued.pendingId, "pending")).toBeDefined();
  });

  it("with partner approvals on, another partner key approves, the requesting key never does", async () => {
    const t = await createTenant();
    await setDefaults(t, { partnerApprovalsEnabled: true });
    const queued = await queuedPause(t);
    const own = await decide(t, queued.pendingId, "approve", { key: t.keys.partner });
    expect(expectError(own, 403, "AUTHORITY_DENIED").reason, own.text).toBe("own_request");
    expect(await findPending(t, queued.pendingId, "pending")).toBeDefined();

    const colleague = await t.addKey({ scopes: ["ads:write:pending", "ads:read", "jobs:read"] });
    const res = await decide(t, queued.pendingId, "approve", { key: colleague.key });
    expect(res.status, res.text).toBe(200);
    expect((await waitForJob(t.keys.partner, queued.jobId)).status).toBe("completed");
  });

  it("partnerApprovalsEnabled defaults to false, and only the customer may change it", async () => {
    const t = await createTenant();
    const read = await api<{ partnerApprovalsEnabled: boolean }>("GET", defaultsPath(t), {
      key: t.keys.partner,
    });
    expect(read.status, read.text).toBe(200);
    expect(read.body.partnerApprovalsEnabled).toBe(false);

    const partner = await api("PATCH", defaultsPath(t), {
      key: t.keys.partner,
      body: { partnerApprovalsEnabled: true },
    });
    expect(expectError(partner, 403, "AUTHORITY_DENIED").reason, partner.text).toBe("user_only_control");

    const customer = await api<{ partnerApprovalsEnabled: boolean }>("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { partnerApprovalsEnabled: true },
    });
    expect(customer.status, customer.text).toBe(200);
    expect(customer.body.partnerApprovalsEnabled).toBe(true);
  });
});

describe("an approval is judged at decision time", () => {
  it("the axis now off: 403 with a verdict, the action stays pending; back on draft it dispatches", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t, { mode: "draft" });
    const queued = await write(t, "budget", campaignId, { body: { dailyBudgetCents: 6500 } });
    expect(queued.body.pendingId, queued.text).toMatch(PENDING_ID);
    await setAuthority(t, campaignId, { tactical: "off" });
    const res = await decide(t, queued.body.pendingId as string, "approve");
    expect(expectError(res, 403, "AUTHORITY_DENIED"), res.text).toMatchObject({
      verdictId: expect.stringMatching(VERDICT_ID),
      axis: "tactical",
      currentMode: "off",
      reason: "authority_axis_off",
    });
    expect(await findPending(t, queued.body.pendingId as string, "pending")).toBeDefined();
    expect((await readJob(t.keys.partner, queued.body.jobId)).stage).toBe("awaiting_approval");

    await setAuthority(t, campaignId, { tactical: "draft" });
    const again = await decide(t, queued.body.pendingId as string, "approve");
    expect(again.status, again.text).toBe(200);
    expect((await waitForJob(t.keys.partner, queued.body.jobId)).status).toBe("completed");
  });

  it("a queued create is judged against the layer's structural axis as it is now", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    const created = await createCampaign(t, "meta", { body: { campaignManagementMode: "draft" } });
    await setDefaults(t, { defaults: { structural: "off" } });
    const res = await decide(t, created.pendingId as string, "approve");
    expect(expectError(res, 403, "AUTHORITY_DENIED"), res.text).toMatchObject({
      axis: "structural",
      reason: "authority_axis_off",
    });
    expect(await findPending(t, created.pendingId as string, "pending")).toBeDefined();
  });
});
