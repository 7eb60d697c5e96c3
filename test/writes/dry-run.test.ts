/**
 * `?dryRun=true` on every gated write: the same validation and refusals as the real call, a 200
 * with the gate's decision, nothing changed or recorded — and the real call then does what the
 * dry run said, in `auto`, `draft`, `off`, under the kill switch and with partner writes off.
 */
import { describe, expect, it } from "vitest";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api, expectError } from "../helpers/http";
import { createBody, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { dryRun, dryThenReal, expectSameRefusal, real, settled } from "./dry-run-fixtures";
import { campaignPath, liveCampaign, type Mode, setAuthority, setDefaults } from "./fixtures";

const campaignWrites = (t: TestTenant, id: string, platform: SeedPlatform = "meta") => {
  const path = campaignPath(t, id, platform);
  return {
    budget: { method: "PATCH", path: `${path}/budget`, body: { dailyBudgetCents: 7500 } },
    pause: { method: "POST", path: `${path}/pause` },
    resume: { method: "POST", path: `${path}/resume` },
    delete: { method: "DELETE", path },
  };
};

const adsetPath = (t: TestTenant, platform: SeedPlatform, adsetId: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}`;

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

/** Waits for an accepted auto write to finish, so the next step starts from a settled campaign. */
async function finish(t: TestTenant, res: { status: number; body: { jobId: string; pendingId?: string } }) {
  if (res.status === 202 && !res.body.pendingId) await waitForJob(t.keys.partner, res.body.jobId);
}

describe.concurrent("campaign writes", () => {
  const decisionFor = { auto: "allow", draft: "queue", off: "deny" } as const;

  it.each(["auto", "draft", "off"] as const)(
    "%s: each write's dry run is what the real call does",
    async (mode: Mode) => {
      const t = await createTenant();
      const id = await liveCampaign(t, { mode });
      const watched = [{ id, platform: "meta" as const }];
      const w = campaignWrites(t, id);
      const expected = (axis: string) => ({
        decision: decisionFor[mode],
        axis,
        currentMode: mode,
        ...(mode === "off" ? { reason: "authority_axis_off" } : {}),
      });
      await finish(t, await dryThenReal(t, w.budget, expected("tactical"), watched));
      // Resuming an active campaign would complete at once, changing nothing: a no-op, even in draft.
      await dryThenReal(
        t,
        w.resume,
        { ...expected("structural"), ...(mode !== "off" ? { noop: true } : {}) },
        watched,
      );
      await finish(t, await dryThenReal(t, w.pause, expected("structural"), watched));
      if (mode === "auto") {
        // Paused now: resuming is a real change again.
        await finish(t, await dryThenReal(t, w.resume, expected("structural"), watched));
      }
      await finish(t, await dryThenReal(t, w.delete, expected("structural"), watched));
    },
  );

  it("the kill switch and partner writes off: denied with the real call's reason", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "auto" });
    const watched = [{ id, platform: "meta" as const }];
    const w = campaignWrites(t, id);
    await setDefaults(t, { killSwitchActive: true });
    await dryThenReal(t, w.budget, { decision: "deny", reason: "kill_switch_active" }, watched);
    await setDefaults(t, { killSwitchActive: false, partnerWritesEnabled: false });
    await dryThenReal(t, w.pause, { decision: "deny", reason: "partner_writes_disabled" }, watched);
    // The customer's own key is not held by partner writes off.
    const customer = { ...w.pause, key: t.keys.customer };
    await finish(t, await dryThenReal(t, customer, { decision: "allow", axis: "structural" }, watched));
  });

  it("refuses what the real call refuses, with the same error", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "auto" });
    const w = campaignWrites(t, id);
    const before = await settled(t, [{ id, platform: "meta" }]);
    await expectSameRefusal(t, { ...w.budget, body: { dailyBudgetCents: -1 } }, 422, "VALIDATION");
    await expectSameRefusal(
      t,
      { ...w.budget, body: { dailyBudgetCents: 5000, extra: 1 } },
      422,
      "VALIDATION",
    );
    await expectSameRefusal(t, { ...w.budget, key: t.keys.readOnly }, 403, "FORBIDDEN_SCOPE");
    await expectSameRefusal(t, { ...w.pause, key: "lp_test_nope" }, 401, "UNAUTHENTICATED");
    const unknown = campaignWrites(t, "cmp_01JD2V4W3X5Y6Z7A8B9C0D1E2F");
    await expectSameRefusal(t, unknown.pause, 404, "NOT_FOUND");
    expect(await settled(t, [{ id, platform: "meta" }])).toBe(before);
    // A deleted campaign answers 409 to both.
    await finish(t, await real(t, w.delete));
    await expectSameRefusal(t, w.pause, 409, "CONFLICT");
  });

  it("dryRun=false is the real call; any other value answers 422 before anything happens", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "draft" });
    const w = campaignWrites(t, id);
    const before = await settled(t, [{ id, platform: "meta" }]);
    for (const value of ["maybe", "TRUE", "1", "", "true&dryRun=true"]) {
      const details = expectError(await dryRun(t, w.pause, value), 422, "VALIDATION");
      expect(details.issues).toEqual([expect.objectContaining({ location: "query", path: "dryRun" })]);
    }
    expect(await settled(t, [{ id, platform: "meta" }])).toBe(before);
    const res = await dryRun(t, w.pause, "false");
    expect(res.status, res.text).toBe(202);
    expect((res.body as unknown as { pendingId?: string }).pendingId).toBeDefined();
  });

  it("Idempotency-Key: a dry run neither replays nor stores a record", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "draft" });
    const w = campaignWrites(t, id);
    const key = { "Idempotency-Key": "dry-run-1" };
    const first = await dryRun(t, { ...w.budget, headers: key });
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    // The real call under the same key is not a replay of the dry run.
    const accepted = await real(t, { ...w.budget, headers: key });
    expect(accepted.status, accepted.text).toBe(202);
    expect(accepted.headers.get("Idempotent-Replayed")).toBeNull();
    // A dry run after it is judged afresh, not the stored 202.
    const again = await dryRun(t, { ...w.budget, headers: key });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toMatchObject({ dryRun: true, decision: "queue" });
    // The key still replays the real call; a malformed key is refused either way.
    const replay = await real(t, { ...w.budget, headers: key });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(replay.text).toBe(accepted.text);
    // Dry runs count against the key's write limit like any write.
    const remaining = (r: { headers: Headers }) => Number(r.headers.get("X-RateLimit-Remaining"));
    const later = await dryRun(t, w.budget);
    expect(remaining(later), later.text).toBeLessThan(remaining(again));
    const bad = { "Idempotency-Key": "é" };
    expectError(await dryRun(t, { ...w.budget, headers: bad }), 422, "VALIDATION");
  });
});

describe.concurrent("ad set writes", () => {
  it.each(["auto", "draft", "off"] as const)(
    "%s: each write's dry run is what the real call does",
    async (mode: Mode) => {
      const t = await createTenant();
      const campaignId = await liveCampaign(t, { mode: "auto", platform: "tiktok" });
      const adsetId = await defaultAdsetOf(t, campaignId);
      if (mode !== "auto") await setAuthority(t, campaignId, { tactical: mode, structural: mode }, "tiktok");
      const watched = [{ id: campaignId, platform: "tiktok" as const }];
      const path = adsetPath(t, "tiktok", adsetId);
      const decision = { auto: "allow", draft: "queue", off: "deny" }[mode] as "allow" | "queue" | "deny";
      const expected = (axis: string) => ({
        decision,
        axis,
        currentMode: mode,
        ...(mode === "off" ? { reason: "authority_axis_off" } : {}),
      });
      const targeting = { method: "PATCH", path: `${path}/targeting`, body: { ageMin: 21 } };
      await finish(t, await dryThenReal(t, targeting, expected("tactical"), watched));
      await dryThenReal(
        t,
        { method: "POST", path: `${path}/resume` },
        { ...expected("structural"), ...(mode !== "off" ? { noop: true } : {}) },
        watched,
      );
      await finish(
        t,
        await dryThenReal(t, { method: "POST", path: `${path}/pause` }, expected("structural"), watched),
      );
      await finish(t, await dryThenReal(t, { method: "DELETE", path }, expected("structural"), watched));
    },
  );

  it("refuses what the real call refuses: a campaign-level budget (422), bad targeting, an unknown ad set", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t, { mode: "auto", platform: "meta" });
    const adsetId = await defaultAdsetOf(t, campaignId);
    const path = adsetPath(t, "meta", adsetId);
    const before = await settled(t, [{ id: campaignId, platform: "meta" }]);
    await expectSameRefusal(
      t,
      { method: "PATCH", path: `${path}/budget`, body: { dailyBudgetCents: 9000 } },
      422,
      "VALIDATION",
    );
    await expectSameRefusal(
      t,
      { method: "PATCH", path: `${path}/targeting`, body: { ageMin: 70 } },
      422,
      "VALIDATION",
    );
    await expectSameRefusal(t, { method: "PATCH", path: `${path}/targeting`, body: {} }, 422, "VALIDATION");
    const unknown = adsetPath(t, "meta", "adg_01JD2V4W3X5Y6Z7A8B9C0D1E2F");
    await expectSameRefusal(t, { method: "POST", path: `${unknown}/pause` }, 404, "NOT_FOUND");
    expectError(await dryRun(t, { method: "POST", path: `${path}/pause` }, "maybe"), 422, "VALIDATION");
    expect(await settled(t, [{ id: campaignId, platform: "meta" }])).toBe(before);
  });
});

describe.concurrent("campaign create", () => {
  const createCall = (t: TestTenant, body: Record<string, unknown> = {}, key?: string) => ({
    method: "POST",
    path: `/v1/projects/${t.projectId}/ads/meta/campaigns`,
    body: createBody(t, "meta", body),
    ...(key ? { key } : {}),
  });

  it.each(["auto", "draft", "off"] as const)(
    "layer structural %s: the dry run is what the create does",
    async (mode: Mode) => {
      const t = await createTenant({ policies: { meta: { structural: mode } } });
      const management = { auto: "autopilot", draft: "draft", off: "manual" }[mode];
      const call = createCall(t, { campaignManagementMode: management });
      const decision = { auto: "allow", draft: "queue", off: "deny" }[mode];
      await dryThenReal(t, call, {
        decision: decision as "allow",
        axis: "structural",
        currentMode: mode,
        ...(mode === "off" ? { reason: "authority_axis_off" } : {}),
      });
    },
  );

  it("a partner asking above the layer defaults, the kill switch, partner writes off: denied as the create is", async () => {
    const t = await createTenant({ policies: { meta: { creative: "draft" } } });
    await dryThenReal(t, createCall(t), {
      decision: "deny",
      reason: "exceeds_customer_policy",
      axis: "creative",
      currentMode: "draft",
      requestedMode: "auto",
      ceilingMode: "draft",
    });
    const modest = createCall(t, { creativeMode: "draft" });
    await setDefaults(t, { killSwitchActive: true });
    await dryThenReal(t, modest, { decision: "deny", reason: "kill_switch_active" });
    await setDefaults(t, { killSwitchActive: false, partnerWritesEnabled: false });
    await dryThenReal(t, modest, { decision: "deny", reason: "partner_writes_disabled" });
  });

  it("refuses what the create refuses; dryRun=maybe answers 422", async () => {
    const t = await createTenant();
    const before = await settled(t);
    await expectSameRefusal(t, createCall(t, { dailyBudgetCents: 1 }), 422, "VALIDATION");
    await expectSameRefusal(t, createCall(t, { name: "" }), 422, "VALIDATION");
    await expectSameRefusal(
      t,
      createCall(t, { adAccountId: "aa_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
      404,
      "NOT_FOUND",
    );
    await expectSameRefusal(t, createCall(t, {}, t.keys.readOnly), 403, "FORBIDDEN_SCOPE");
    expectError(await dryRun(t, createCall(t), "maybe"), 422, "VALIDATION");
    expect(await settled(t)).toBe(before);
  });
});

describe.concurrent("pending approve and reject", () => {
  it("the decision as the real approve or reject takes it; the action stays pending after a dry run", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "draft" });
    const watched = [{ id, platform: "meta" as const }];
    const queued = await real(t, campaignWrites(t, id).pause);
    const pendingId = queued.body.pendingId as string;
    const pending = `/v1/projects/${t.projectId}/ads/meta/pending/${pendingId}`;
    const approve = { method: "POST", path: `${pending}/approve`, key: t.keys.customer };
    const reject = { method: "POST", path: `${pending}/reject`, body: { reason: "not now" } };
    // Partner approvals are off by default; a partner never decides its own request anyway.
    await dryThenReal(
      t,
      { ...approve, key: t.keys.partner },
      { decision: "deny", reason: "partner_approvals_disabled" },
      watched,
    );
    await setDefaults(t, { killSwitchActive: true });
    await dryThenReal(
      t,
      approve,
      { decision: "deny", reason: "kill_switch_active", axis: "structural" },
      watched,
    );
    await setDefaults(t, { killSwitchActive: false });
    // Rejecting is allowed; the dry run leaves the action pending, so the approval still lands.
    const dryReject = await dryRun(t, { ...reject, key: t.keys.customer });
    expect(dryReject.body).toMatchObject({ decision: "allow", axis: "structural", currentMode: "draft" });
    const approved = await dryThenReal(t, approve, { decision: "allow", axis: "structural" }, watched);
    expect(approved.status, approved.text).toBe(200);
    await expectSameRefusal(t, approve, 409, "CONFLICT");
    expectError(await dryRun(t, approve, "maybe"), 422, "VALIDATION");
  });
});

/**
 * Every operation documenting `dryRun`, and where this file (or test/authority/dry-run.test.ts)
 * shows its dry run decides as the real call and changes nothing. A route that opts in
 * (`dryRun: true` in its defineRoute access) must be added here with its tests.
 */
const COVERED = [
  "POST /v1/projects/{projectId}/ads/{platform}/campaigns",
  "PATCH /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/budget",
  "POST /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/pause",
  "POST /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/resume",
  "DELETE /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}",
  "PATCH /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/authority",
  "PATCH /v1/projects/{projectId}/ads/{platform}/defaults",
  "PATCH /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/targeting",
  "PATCH /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/budget",
  "POST /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/pause",
  "POST /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/resume",
  "DELETE /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}",
  "POST /v1/projects/{projectId}/ads/{platform}/pending/{pendingId}/approve",
  "POST /v1/projects/{projectId}/ads/{platform}/pending/{pendingId}/reject",
  // Below the campaign, and the campaign's schedule and bid strategy: test/writes/dry-run-tree.test.ts.
  "POST /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/adsets",
  "PATCH /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/schedule",
  "PATCH /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/schedule",
  "PATCH /v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/bid-strategy",
  "POST /v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/ads",
  "PUT /v1/projects/{projectId}/ads/{platform}/ads/{adId}/creative",
  "DELETE /v1/projects/{projectId}/ads/{platform}/ads/{adId}/creative",
  "POST /v1/projects/{projectId}/ads/{platform}/ads/{adId}/pause",
  "POST /v1/projects/{projectId}/ads/{platform}/ads/{adId}/resume",
  "DELETE /v1/projects/{projectId}/ads/{platform}/ads/{adId}",
  "POST /v1/projects/{projectId}/ads/apple/adsets/{adsetId}/keywords",
  "PATCH /v1/projects/{projectId}/ads/apple/adsets/{adsetId}/keywords",
  "DELETE /v1/projects/{projectId}/ads/apple/adsets/{adsetId}/keywords",
];

/** Refusing with AUTHORITY_DENIED without an authority axis: a customer-only control, no dry run. */
const NOT_GATED = ["DELETE /v1/projects/{projectId}/ads/ad-accounts/{adAccountId}"];

describe("coverage", () => {
  it("every gated write documents dryRun, and every dry run is covered here", async () => {
    const res = await api<{ paths: Record<string, Record<string, Operation>> }>("GET", "/openapi.json");
    type Operation = {
      parameters?: { name: string; in: string }[];
      responses: Record<string, { description: string }>;
    };
    const withDryRun: string[] = [];
    const gated: string[] = [];
    for (const [path, operations] of Object.entries(res.body.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (op.parameters?.some((p) => p.in === "query" && p.name === "dryRun")) {
          withDryRun.push(name);
          expect(op.responses["200"], name).toBeDefined();
        }
        if (op.responses["403"]?.description.includes("AUTHORITY_DENIED") && !NOT_GATED.includes(name)) {
          gated.push(name);
        }
      }
    }
    expect(withDryRun.sort()).toEqual([...COVERED].sort());
    expect(gated.sort()).toEqual([...COVERED].sort());
  });
});
