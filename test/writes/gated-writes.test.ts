import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import {
  campaignPath,
  expectVerdictsAudited,
  JOB_ID,
  liveCampaign,
  type Mode,
  PENDING_ID,
  readCampaign,
  readJob,
  setAuthority,
  setDefaults,
  sleep,
  VERDICT_ID,
  type WriteAction,
  write,
  writeAndComplete,
} from "./fixtures";

interface WriteCase {
  action: WriteAction;
  axis: "tactical" | "structural";
  kind: string;
  /** The campaign status the write starts from. */
  from: "active" | "paused";
  /** What the campaign read shows once the write completed. */
  after: { status: string; dailyBudgetCents: number };
}

const WRITES: WriteCase[] = [
  {
    action: "budget",
    axis: "tactical",
    kind: "ads_update_budget",
    from: "active",
    after: { status: "active", dailyBudgetCents: 7500 },
  },
  {
    action: "pause",
    axis: "structural",
    kind: "ads_pause_campaign",
    from: "active",
    after: { status: "paused", dailyBudgetCents: 5000 },
  },
  {
    action: "resume",
    axis: "structural",
    kind: "ads_resume_campaign",
    from: "paused",
    after: { status: "active", dailyBudgetCents: 5000 },
  },
  {
    action: "delete",
    axis: "structural",
    kind: "ads_delete_campaign",
    from: "active",
    after: { status: "deleted", dailyBudgetCents: 5000 },
  },
];

/**
 * A campaign in `from` whose governing axis is `mode`. Active campaigns get their mode at
 * creation (manual/draft/autopilot); paused ones are paused in auto, then the customer pins
 * the mode through the authority PATCH.
 */
async function campaignFor(tenant: TestTenant, w: WriteCase, mode: Mode): Promise<string> {
  if (w.from === "active") return liveCampaign(tenant, { mode });
  const campaignId = await liveCampaign(tenant, { mode: "auto" });
  await writeAndComplete(tenant, "pause", campaignId);
  if (mode !== "auto") await setAuthority(tenant, campaignId, { [w.axis]: mode });
  return campaignId;
}

describe.concurrent.each(WRITES)("$action ($axis axis)", (w) => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it(`auto: 202 with a job that completes, and the campaign read reflects it`, async () => {
    const campaignId = await campaignFor(tenant, w, "auto");
    const res = await write(tenant, w.action, campaignId);
    expect(res.status, res.text).toBe(202);
    expect(res.body, res.text).toEqual({
      jobId: expect.stringMatching(JOB_ID),
      verdictId: expect.stringMatching(VERDICT_ID),
      status: "running",
    });
    expect(res.headers.get("Location")).toBe(`/v1/jobs/${res.body.jobId}`);

    const job = await waitForJob(tenant.keys.partner, res.body.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({
      jobId: res.body.jobId,
      kind: w.kind,
      status: "completed",
      stage: null,
      campaignId,
      attempts: 1,
    });
    expect(job.pendingId).toBeUndefined();

    const campaign = await readCampaign(tenant, campaignId);
    expect(campaign, JSON.stringify(campaign)).toMatchObject(w.after);
    expect(campaign.platformCampaignId).toMatch(/^\d+$/);
    await expectVerdictsAudited(tenant, [res.body.verdictId]);
  });

  it(`draft: 202 with a pendingId, the job awaits approval and the campaign is unchanged`, async () => {
    const campaignId = await campaignFor(tenant, w, "draft");
    const before = await readCampaign(tenant, campaignId);
    const res = await write(tenant, w.action, campaignId);
    expect(res.status, res.text).toBe(202);
    expect(res.body, res.text).toEqual({
      jobId: expect.stringMatching(JOB_ID),
      verdictId: expect.stringMatching(VERDICT_ID),
      status: "running",
      pendingId: expect.stringMatching(PENDING_ID),
    });
    expect(res.headers.get("Location")).toBe(`/v1/jobs/${res.body.jobId}`);

    // Far longer than the queue's batch timeout under test (20 ms, vitest.config.ts) and than a
    // whole dispatch round here: nothing may have been dispatched meanwhile.
    await sleep(500);
    const job = await readJob(tenant.keys.partner, res.body.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({
      jobId: res.body.jobId,
      kind: w.kind,
      status: "running",
      stage: "awaiting_approval",
      campaignId,
      attempts: 0,
      pendingId: res.body.pendingId,
    });
    const after = await readCampaign(tenant, campaignId);
    expect(after.status).toBe(before.status);
    expect(after.status).toBe(w.from);
    expect(after.dailyBudgetCents).toBe(before.dailyBudgetCents);
    await expectVerdictsAudited(tenant, [res.body.verdictId]);
  });

  it(`off: 403 AUTHORITY_DENIED with the verdict, and the campaign is unchanged`, async () => {
    const campaignId = await campaignFor(tenant, w, "off");
    const before = await readCampaign(tenant, campaignId);
    const res = await write(tenant, w.action, campaignId);
    const details = expectError(res, 403, "AUTHORITY_DENIED");
    expect(details, res.text).toEqual({
      verdictId: expect.stringMatching(VERDICT_ID),
      axis: w.axis,
      currentMode: "off",
      reason: "authority_axis_off",
    });
    const after = await readCampaign(tenant, campaignId);
    expect(after.status).toBe(before.status);
    expect(after.dailyBudgetCents).toBe(before.dailyBudgetCents);
    await expectVerdictsAudited(tenant, [details.verdictId as string]);
  });
});

describe("the governing axis decides", () => {
  it("judges budget by tactical and pause by structural, independently", async () => {
    const tenant = await createTenant();
    const tacticalOff = await liveCampaign(tenant);
    await setAuthority(tenant, tacticalOff, { tactical: "off", structural: "auto" });
    const budgetDenied = await write(tenant, "budget", tacticalOff);
    expect(expectError(budgetDenied, 403, "AUTHORITY_DENIED"), budgetDenied.text).toMatchObject({
      axis: "tactical",
      currentMode: "off",
      reason: "authority_axis_off",
    });
    const pause = await write(tenant, "pause", tacticalOff);
    expect(pause.status, pause.text).toBe(202);
    expect(pause.body.pendingId).toBeUndefined();

    const structuralOff = await liveCampaign(tenant);
    await setAuthority(tenant, structuralOff, { tactical: "draft", structural: "off" });
    const pauseDenied = await write(tenant, "pause", structuralOff);
    expect(expectError(pauseDenied, 403, "AUTHORITY_DENIED"), pauseDenied.text).toMatchObject({
      axis: "structural",
      currentMode: "off",
      reason: "authority_axis_off",
    });
    const budget = await write(tenant, "budget", structuralOff);
    expect(budget.status, budget.text).toBe(202);
    expect(budget.body.pendingId, budget.text).toMatch(PENDING_ID);
  });

  it("ignores the creative axis for these writes", async () => {
    const tenant = await createTenant();
    const campaignId = await liveCampaign(tenant, { body: { creativeMode: "manual" } });
    expect((await readCampaign(tenant, campaignId)).authority).toEqual({
      creative: "off",
      tactical: "auto",
      structural: "auto",
    });
    await writeAndComplete(tenant, "budget", campaignId);
    await writeAndComplete(tenant, "pause", campaignId);
  });
});

describe("the customer's switches", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it("denies every actor's write while the kill switch is active, with reason kill_switch_active", async () => {
    const campaignId = await liveCampaign(tenant);
    await setDefaults(tenant, { killSwitchActive: true });
    const verdicts: string[] = [];
    try {
      for (const [action, axis] of [
        ["budget", "tactical"],
        ["pause", "structural"],
        ["delete", "structural"],
      ] as const) {
        for (const key of [tenant.keys.partner, tenant.keys.customer]) {
          const res = await write(tenant, action, campaignId, { key });
          const details = expectError(res, 403, "AUTHORITY_DENIED");
          expect(details, res.text).toEqual({
            verdictId: expect.stringMatching(VERDICT_ID),
            axis,
            currentMode: "auto",
            reason: "kill_switch_active",
          });
          verdicts.push(details.verdictId as string);
        }
      }
      expect(new Set(verdicts).size).toBe(verdicts.length);
      expect((await readCampaign(tenant, campaignId)).status).toBe("active");
      await expectVerdictsAudited(tenant, verdicts);
    } finally {
      await setDefaults(tenant, { killSwitchActive: false });
    }
    // Released: the same write goes through again.
    await writeAndComplete(tenant, "pause", campaignId);
  });

  it("denies partner writes (not the customer's) while partner writes are disabled", async () => {
    const campaignId = await liveCampaign(tenant);
    await setDefaults(tenant, { partnerWritesEnabled: false });
    try {
      const res = await write(tenant, "budget", campaignId);
      const details = expectError(res, 403, "AUTHORITY_DENIED");
      expect(details, res.text).toEqual({
        verdictId: expect.stringMatching(VERDICT_ID),
        axis: "tactical",
        currentMode: "auto",
        reason: "partner_writes_disabled",
      });
      const pause = await write(tenant, "pause", campaignId);
      expect(expectError(pause, 403, "AUTHORITY_DENIED"), pause.text).toMatchObject({
        axis: "structural",
        reason: "partner_writes_disabled",
      });
      await expectVerdictsAudited(tenant, [details.verdictId as string]);

      await writeAndComplete(tenant, "budget", campaignId, { key: tenant.keys.customer });
      await writeAndComplete(tenant, "pause", campaignId, { key: tenant.keys.customer });
      const campaign = await readCampaign(tenant, campaignId);
      expect(campaign).toMatchObject({ status: "paused", dailyBudgetCents: 7500 });
    } finally {
      await setDefaults(tenant, { partnerWritesEnabled: true });
    }
  });
});

describe("the gate's order: kill switch, then partner consent, then the axis", () => {
  it("reports the first reason that applies, on draft and off campaigns alike", async () => {
    const tenant = await createTenant();
    const draft = await liveCampaign(tenant, { mode: "draft" });
    const off = await liveCampaign(tenant, { mode: "off" });
    const reasonOf = async (campaignId: string, key: string) => {
      const res = await write(tenant, "budget", campaignId, { key });
      const details = expectError(res, 403, "AUTHORITY_DENIED");
      expect(details.verdictId, res.text).toMatch(VERDICT_ID);
      return details.reason;
    };

    await setDefaults(tenant, { killSwitchActive: true, partnerWritesEnabled: false });
    expect(await reasonOf(draft, tenant.keys.partner)).toBe("kill_switch_active");
    expect(await reasonOf(draft, tenant.keys.customer)).toBe("kill_switch_active");
    expect(await reasonOf(off, tenant.keys.partner)).toBe("kill_switch_active");

    await setDefaults(tenant, { killSwitchActive: false });
    expect(await reasonOf(draft, tenant.keys.partner)).toBe("partner_writes_disabled");
    expect(await reasonOf(off, tenant.keys.partner)).toBe("partner_writes_disabled");
    expect(await reasonOf(off, tenant.keys.customer)).toBe("authority_axis_off");
    const queued = await write(tenant, "budget", draft, { key: tenant.keys.customer });
    expect(queued.status, queued.text).toBe(202);
    expect(queued.body.pendingId, queued.text).toMatch(PENDING_ID);
  });
});

describe("campaign state", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  it("answers 409 CONFLICT to every write on a deleted campaign, which stays readable", async () => {
    const campaignId = await liveCampaign(tenant);
    const deleted = await writeAndComplete(tenant, "delete", campaignId);
    expect(deleted.kind).toBe("ads_delete_campaign");
    const campaign = await readCampaign(tenant, campaignId);
    expect(campaign.status).toBe("deleted");
    for (const action of ["budget", "pause", "resume", "delete"] as const) {
      for (const key of [tenant.keys.partner, tenant.keys.customer]) {
        expectError(await write(tenant, action, campaignId, { key }), 409, "CONFLICT");
      }
    }
    expect((await readCampaign(tenant, campaignId)).status).toBe("deleted");
  });

  it("completes a pause of a paused campaign at once", async () => {
    const campaignId = await liveCampaign(tenant);
    await writeAndComplete(tenant, "pause", campaignId);
    const res = await write(tenant, "pause", campaignId);
    expect(res.status, res.text).toBe(202);
    expect(res.body, res.text).toEqual({
      jobId: expect.stringMatching(JOB_ID),
      verdictId: expect.stringMatching(VERDICT_ID),
      status: "completed",
    });
    // No polling: it is already done.
    const job = await readJob(tenant.keys.partner, res.body.jobId);
    expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", kind: "ads_pause_campaign" });
    expect((await readCampaign(tenant, campaignId)).status).toBe("paused");
    await expectVerdictsAudited(tenant, [res.body.verdictId]);
  });

  it("completes a resume of an active campaign at once", async () => {
    const campaignId = await liveCampaign(tenant);
    const res = await write(tenant, "resume", campaignId);
    expect(res.status, res.text).toBe(202);
    expect(res.body.status, res.text).toBe("completed");
    expect((await readJob(tenant.keys.partner, res.body.jobId)).status).toBe("completed");
    expect((await readCampaign(tenant, campaignId)).status).toBe("active");
  });

  it("answers 409 CONFLICT while the campaign's create has not completed", async () => {
    const res = await api<{ campaignId: string; jobId: string }>(
      "POST",
      `/v1/projects/${tenant.projectId}/ads/meta/campaigns`,
      {
        key: tenant.keys.partner,
        body: {
          adAccountId: tenant.adAccounts.meta,
          // Each of the create's two steps holds 1.5 s: both writes below arrive well inside it.
          name: "Slow [sandbox:slow=1500]",
          outcome: "conversions",
          dailyBudgetCents: 5000,
          campaignManagementMode: "autopilot",
          creativeMode: "autopilot",
        },
      },
    );
    expect(res.status, res.text).toBe(202);
    expectError(await write(tenant, "pause", res.body.campaignId), 409, "CONFLICT");
    expectError(await write(tenant, "budget", res.body.campaignId), 409, "CONFLICT");
    await waitForJob(tenant.keys.partner, res.body.jobId);
  });
});

describe("budget validation", () => {
  let tenant: TestTenant;
  let daily: string;
  beforeAll(async () => {
    tenant = await createTenant();
    daily = await liveCampaign(tenant);
  });

  const budget = (campaignId: string, body: unknown, platform: "meta" | "tiktok" | "apple" = "meta") =>
    write(tenant, "budget", campaignId, { body, platform });

  const issuePaths = (details: Record<string, unknown>) =>
    (details.issues as { path: string }[]).map((i) => i.path);

  it("rejects both budget fields with 422", async () => {
    const res = await budget(daily, { dailyBudgetCents: 6000, lifetimeBudgetCents: 600000 });
    const details = expectError(res, 422, "VALIDATION");
    expect(issuePaths(details).length, res.text).toBeGreaterThan(0);
  });

  it("rejects a body without any budget field with 422", async () => {
    expectError(await budget(daily, {}), 422, "VALIDATION");
  });

  it.each([
    ["zero", { dailyBudgetCents: 0 }],
    ["negative", { dailyBudgetCents: -100 }],
    ["fractional cents", { dailyBudgetCents: 100.5 }],
    ["a string", { dailyBudgetCents: "6000" }],
    ["an unknown field", { dailyBudgetCents: 6000, currency: "USD" }],
  ])("rejects %s with 422", async (_label, body) => {
    expectError(await budget(daily, body), 422, "VALIDATION");
  });

  it("rejects a budget below the platform minimum with 422", async () => {
    const res = await budget(daily, { dailyBudgetCents: 99 });
    expect(issuePaths(expectError(res, 422, "VALIDATION")), res.text).toContain("dailyBudgetCents");
    const tiktok = await liveCampaign(tenant, { platform: "tiktok" });
    const low = await budget(tiktok, { dailyBudgetCents: 4999 }, "tiktok");
    expect(issuePaths(expectError(low, 422, "VALIDATION")), low.text).toContain("dailyBudgetCents");
    const ok = await budget(tiktok, { dailyBudgetCents: 5000 }, "tiktok");
    expect(ok.status, ok.text).toBe(202);
  });

  it("rejects the wrong budget kind with 422", async () => {
    const res = await budget(daily, { lifetimeBudgetCents: 600000 });
    expect(issuePaths(expectError(res, 422, "VALIDATION")), res.text).toContain("lifetimeBudgetCents");

    const lifetime = await liveCampaign(tenant, {
      body: {
        dailyBudgetCents: undefined,
        lifetimeBudgetCents: 500000,
        endTime: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
      },
    });
    const wrong = await budget(lifetime, { dailyBudgetCents: 6000 });
    expect(issuePaths(expectError(wrong, 422, "VALIDATION")), wrong.text).toContain("dailyBudgetCents");
    await writeAndComplete(tenant, "budget", lifetime, { body: { lifetimeBudgetCents: 700000 } });
    expect((await readCampaign(tenant, lifetime)).lifetimeBudgetCents).toBe(700000);

    const apple = await liveCampaign(tenant, { platform: "apple" });
    const appleLifetime = await budget(apple, { lifetimeBudgetCents: 600000 }, "apple");
    expect(issuePaths(expectError(appleLifetime, 422, "VALIDATION")), appleLifetime.text).toContain(
      "lifetimeBudgetCents",
    );
  });

  it("leaves the campaign unchanged after rejected budgets", async () => {
    const campaign = await readCampaign(tenant, daily);
    expect(campaign).toMatchObject({ dailyBudgetCents: 5000, lifetimeBudgetCents: null, status: "active" });
  });
});

describe("write security", () => {
  let tenant: TestTenant;
  let other: TestTenant;
  let campaignId: string;
  beforeAll(async () => {
    tenant = await createTenant();
    other = await createTenant();
    campaignId = await liveCampaign(tenant);
  });

  it.each([
    ["budget", "ads:write:budgets"],
    ["pause", "ads:write:lifecycle"],
    ["resume", "ads:write:lifecycle"],
    ["delete", "ads:write:lifecycle"],
  ] as const)("%s needs %s (403 FORBIDDEN_SCOPE)", async (action, scope) => {
    const res = await write(tenant, action, campaignId, { key: tenant.keys.readOnly });
    expect(expectError(res, 403, "FORBIDDEN_SCOPE"), res.text).toEqual({ requiredScope: scope });
  });

  it.each(["budget", "pause", "resume", "delete"] as const)(
    "%s of another organization's campaign is 404",
    async (action) => {
      // Through the other organization's own project, and through ours.
      expectError(await write(other, action, campaignId, { key: other.keys.customer }), 404, "NOT_FOUND");
      const path = campaignPath(tenant, campaignId);
      const res =
        action === "budget"
          ? await api("PATCH", `${path}/budget`, {
              key: other.keys.customer,
              body: { dailyBudgetCents: 7000 },
            })
          : action === "delete"
            ? await api("DELETE", path, { key: other.keys.customer })
            : await api("POST", `${path}/${action}`, { key: other.keys.customer });
      expectError(res, 404, "NOT_FOUND");
    },
  );

  it("answers 404 for a malformed or unknown campaign id, a wrong platform and an unknown platform", async () => {
    expectError(await write(tenant, "pause", "cmp_nope"), 404, "NOT_FOUND");
    expectError(await write(tenant, "pause", "cmp_01JD9999999999999999999999"), 404, "NOT_FOUND");
    expectError(await write(tenant, "pause", campaignId, { platform: "tiktok" }), 404, "NOT_FOUND");
    const res = await api(
      "POST",
      `/v1/projects/${tenant.projectId}/ads/snapchat/campaigns/${campaignId}/pause`,
      {
        key: tenant.keys.partner,
      },
    );
    expectError(res, 404, "NOT_FOUND");
    expect((await readCampaign(tenant, campaignId)).status).toBe("active");
  });
});
