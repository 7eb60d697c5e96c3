import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { accountEvent, setAccountStatus } from "../../src/connections/accounts";
import { MAX_METADATA_BYTES } from "../../src/domain/campaign-rules";
import { type IdempotencyObject, idempotencyObject } from "../../src/objects/idempotency";
import { api, expectError } from "../helpers/http";
import { createBody, createCampaign, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

const createPath = (t: TestTenant, platform: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/campaigns`;

async function verdictEvents(organizationId: string, verdictId: string) {
  const { results } = await env.DB.prepare(
    "SELECT event_type, data FROM audit_events WHERE organization_id = ? AND verdict_id = ? AND event_type = 'verdict'",
  )
    .bind(organizationId, verdictId)
    .all<{ event_type: string; data: string }>();
  return results.map((r) => JSON.parse(r.data) as Record<string, unknown>);
}

describe("create campaign: the seed's example", () => {
  it("answers 202 with the seed's shape for the seed's curl body", async () => {
    const res = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: {
        adAccountId: tenant.adAccounts.meta,
        name: "Q3 prospecting",
        outcome: "conversions",
        dailyBudgetCents: 5000,
        campaignManagementMode: "draft",
        creativeMode: "autopilot",
      },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body).toEqual({
      jobId: expect.stringMatching(/^job_[0-9A-Z]{26}$/),
      campaignId: expect.stringMatching(/^cmp_[0-9A-Z]{26}$/),
      verdictId: expect.stringMatching(/^ver_[0-9A-Z]{26}$/),
      kind: "ads_create_campaign",
      status: "running",
      platform: "meta",
      authority: { creative: "auto", tactical: "draft", structural: "draft" },
      locationUrl: `/v1/jobs/${res.body.jobId}`,
    });
    const verdicts = await verdictEvents(tenant.organizationId, res.body.verdictId as string);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ action: "create_campaign", decision: "allow", axis: "structural" });
  });
});

describe("create campaign: per platform, end to end", () => {
  it.each(["meta", "tiktok", "apple"] as const)(
    "%s: creates, dispatches and completes with a platform id",
    async (platform) => {
      const metadata = { source: "crm", tags: ["a", "ü", { deep: [1, 2.5, null, true] }], "": "empty key" };
      const created = await createCampaign(tenant, platform, { body: { metadata } });
      expect(created.job?.status, JSON.stringify(created.job)).toBe("completed");
      expect(created.job?.result?.platformCampaignId).toMatch(/^\d{9,19}$/);
      const read = await api("GET", `${createPath(tenant, platform)}/${created.campaignId}`, {
        key: tenant.keys.readOnly,
      });
      expect(read.status, read.text).toBe(200);
      expect(read.body).toMatchObject({
        campaignId: created.campaignId,
        status: "active",
        platform,
        platformCampaignId: created.job?.result?.platformCampaignId,
        authority: { creative: "auto", tactical: "auto", structural: "auto" },
        authoritySource: "per_campaign",
        metadata,
      });
      expect(read.body.bidStrategy).toHaveProperty("type");
      expect(read.body.targeting).toMatchObject({ countries: ["US"] });
    },
  );

  it("shows each platform's best-practice defaults on the read", async () => {
    const meta = await createCampaign(tenant, "meta", { wait: false });
    const read = await api("GET", `${createPath(tenant, "meta")}/${meta.campaignId}`, {
      key: tenant.keys.partner,
    });
    expect(read.body).toMatchObject({
      bidStrategy: { type: "LOWEST_COST_WITHOUT_CAP" },
      platformSettings: { buyingType: "AUCTION", specialAdCategories: [] },
      targeting: { placements: "automatic" },
    });
  });

  it("keeps caller overrides of bid strategy and targeting", async () => {
    const c = await createCampaign(tenant, "meta", {
      wait: false,
      body: {
        bidStrategy: { type: "COST_CAP", bidAmountCents: 250 },
        targeting: { countries: ["DE", "FR"], ageMin: 25 },
      },
    });
    const read = await api("GET", `${createPath(tenant, "meta")}/${c.campaignId}`, {
      key: tenant.keys.partner,
    });
    expect(read.body).toMatchObject({
      bidStrategy: { type: "COST_CAP", bidAmountCents: 250 },
      targeting: { countries: ["DE", "FR"], ageMin: 25, ageMax: 65 },
    });
  });
});

describe("create campaign: validation", () => {
  const post = (platform: string, body: unknown) =>
    api("POST", createPath(tenant, platform), { key: tenant.keys.partner, body });
  const paths = (details: Record<string, unknown>) =>
    (details.issues as { path: string }[]).map((i) => i.path).sort();

  it("lists every failing field in one 422", async () => {
    const res = await post("tiktok", {
      name: "",
      outcome: "fame",
      dailyBudgetCents: 10,
      lifetimeBudgetCents: 1.5,
      campaignManagementMode: "yolo",
      extra: true,
    });
    const details = expectError(res, 422, "VALIDATION");
    expect(paths(details)).toEqual(
      expect.arrayContaining([
        "adAccountId",
        "name",
        "outcome",
        "lifetimeBudgetCents",
        "campaignManagementMode",
        "creativeMode",
        "extra",
        "dailyBudgetCents",
      ]),
    );
  });

  it.each([
    ["name too long", "meta", { name: "x".repeat(129) }, "name"],
    ["no budget", "meta", { dailyBudgetCents: undefined }, "dailyBudgetCents"],
    [
      "both budgets",
      "meta",
      { lifetimeBudgetCents: 10_000, endTime: "2030-01-01T00:00:00Z" },
      "lifetimeBudgetCents",
    ],
    ["zero budget", "meta", { dailyBudgetCents: 0 }, "dailyBudgetCents"],
    ["fractional cents", "meta", { dailyBudgetCents: 100.5 }, "dailyBudgetCents"],
    ["string budget", "meta", { dailyBudgetCents: "5000" }, "dailyBudgetCents"],
    ["below the Meta minimum", "meta", { dailyBudgetCents: 99 }, "dailyBudgetCents"],
    ["below the TikTok minimum", "tiktok", { dailyBudgetCents: 4999 }, "dailyBudgetCents"],
    [
      "TikTok lifetime without endTime",
      "tiktok",
      { dailyBudgetCents: undefined, lifetimeBudgetCents: 100_000 },
      "endTime",
    ],
    ["Apple conversions", "apple", { outcome: "conversions" }, "outcome"],
    [
      "Apple lifetime",
      "apple",
      { dailyBudgetCents: undefined, lifetimeBudgetCents: 100_000, endTime: "2030-01-01T00:00:00Z" },
      "lifetimeBudgetCents",
    ],
    ["timestamp with offset", "meta", { startTime: "2030-01-01T00:00:00+02:00" }, "startTime"],
    ["endTime in the past", "meta", { endTime: "2020-01-01T00:00:00Z" }, "endTime"],
    [
      "endTime before startTime",
      "meta",
      { startTime: "2031-01-01T00:00:00Z", endTime: "2030-01-01T00:00:00Z" },
      "endTime",
    ],
    ["bad outcome", "meta", { outcome: "sales" }, "outcome"],
    ["bad creative mode", "meta", { creativeMode: "auto" }, "creativeMode"],
    ["unknown top-level field", "meta", { objective: "OUTCOME_SALES" }, "objective"],
    ["metadata not an object", "meta", { metadata: [1, 2] }, "metadata"],
    ["metadata over 8 KB", "meta", { metadata: { blob: "x".repeat(MAX_METADATA_BYTES) } }, "metadata"],
    ["bid strategy of another platform", "meta", { bidStrategy: { type: "MANUAL_CPT" } }, "bidStrategy.type"],
    ["unknown targeting field", "meta", { targeting: { interests: ["x"] } }, "targeting.interests"],
  ])("%s → 422 on %s", async (_label, platform, overrides, path) => {
    const res = await post(platform, createBody(tenant, platform as "meta", overrides));
    const details = expectError(res, 422, "VALIDATION");
    expect(paths(details), res.text).toContain(path);
  });

  it("accepts a TikTok lifetime budget with an end time", async () => {
    const res = await post(
      "tiktok",
      createBody(tenant, "tiktok", {
        dailyBudgetCents: undefined,
        lifetimeBudgetCents: 100_000,
        endTime: "2030-01-01T00:00:00Z",
      }),
    );
    expect(res.status, res.text).toBe(202);
  });

  it("answers 400 for a body that is not JSON, and writes nothing", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM campaigns").first<{ n: number }>();
    const res = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      rawBody: '{"name": ',
      headers: { "Content-Type": "application/json" },
    });
    expectError(res, 400, "VALIDATION");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM campaigns").first<{ n: number }>();
    expect(after?.n).toBe(before?.n);
  });
});

describe("create campaign: not found", () => {
  it.each([
    [
      "unknown ad account",
      () => ({ platform: "meta", body: { adAccountId: "aa_01JD9999999999999999999999" } }),
    ],
    ["malformed ad account", () => ({ platform: "meta", body: { adAccountId: "not-an-id" } })],
    [
      "ad account of another platform",
      (t: TestTenant) => ({ platform: "meta", body: { adAccountId: t.adAccounts.tiktok } }),
    ],
  ])("%s → 404", async (_label, make) => {
    const { platform, body } = make(tenant as TestTenant);
    const res = await api("POST", createPath(tenant, platform), {
      key: tenant.keys.partner,
      body: createBody(tenant, platform as "meta", body),
    });
    expectError(res, 404, "NOT_FOUND");
  });

  it("answers 404 for an ad account whose token is not valid", async () => {
    // The layer object is the single writer of account status and serves it to writes from memory.
    const account = {
      id: tenant.adAccounts.apple,
      organizationId: tenant.organizationId,
      projectId: tenant.projectId,
    };
    const event = (status: string) =>
      accountEvent({ ...account, platform: "apple" }, "test.status", { status });
    await setAccountStatus(env, account, "expired", { event: event("expired") });
    try {
      const res = await api("POST", createPath(tenant, "apple"), {
        key: tenant.keys.partner,
        body: createBody(tenant, "apple"),
      });
      expectError(res, 404, "NOT_FOUND");
    } finally {
      await setAccountStatus(env, account, "valid", { event: event("valid") });
    }
  });

  it("answers 404 for another organization's project and ad account, and an unknown platform", async () => {
    const other = await createTenant();
    expectError(
      await api("POST", createPath(other, "meta"), {
        key: tenant.keys.partner,
        body: createBody(other, "meta"),
      }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("POST", createPath(tenant, "meta"), {
        key: tenant.keys.partner,
        body: createBody(other, "meta"),
      }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("POST", createPath(tenant, "snapchat"), {
        key: tenant.keys.partner,
        body: createBody(tenant, "meta"),
      }),
      404,
      "NOT_FOUND",
    );
  });

  it("answers 403 FORBIDDEN_SCOPE without ads:write:campaigns", async () => {
    const res = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.readOnly,
      body: createBody(tenant, "meta"),
    });
    expect(expectError(res, 403, "FORBIDDEN_SCOPE")).toEqual({ requiredScope: "ads:write:campaigns" });
  });
});

describe("create campaign: the gate", () => {
  it("denies when the layer's structural axis is off, with the seed's details and a verdict", async () => {
    const t = await createTenant({ policies: { meta: { structural: "off" } } });
    const res = await api("POST", createPath(t, "meta"), {
      key: t.keys.partner,
      body: createBody(t, "meta", { campaignManagementMode: "manual" }),
    });
    const details = expectError(res, 403, "AUTHORITY_DENIED");
    expect(details).toEqual({
      verdictId: expect.stringMatching(/^ver_/),
      axis: "structural",
      currentMode: "off",
      reason: "authority_axis_off",
    });
    expect((res.body as { error: { message: string } }).error.message).toBe(
      "Layer's structural axis is set to 'off'; campaign-create denied.",
    );
    const verdicts = await verdictEvents(t.organizationId, details.verdictId as string);
    expect(verdicts).toEqual([expect.objectContaining({ decision: "deny", reason: "authority_axis_off" })]);
    const { results } = await env.DB.prepare("SELECT id FROM campaigns WHERE organization_id = ?")
      .bind(t.organizationId)
      .all();
    expect(results).toHaveLength(0);
  });

  it("queues the create when the layer's structural axis is draft", async () => {
    const t = await createTenant({ policies: { tiktok: { structural: "draft", tactical: "draft" } } });
    const res = await api("POST", createPath(t, "tiktok"), {
      key: t.keys.partner,
      body: createBody(t, "tiktok", { campaignManagementMode: "draft" }),
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingId).toMatch(/^pa_/);
    const job = await api("GET", `/v1/jobs/${res.body.jobId}`, { key: t.keys.partner });
    expect(job.body).toMatchObject({
      status: "running",
      stage: "awaiting_approval",
      pendingId: res.body.pendingId,
    });
    const read = await api("GET", `${createPath(t, "tiktok")}/${res.body.campaignId}`, {
      key: t.keys.partner,
    });
    expect(read.body).toMatchObject({ status: "awaiting_approval", platformCampaignId: null });
  });

  it("denies under the kill switch, for the customer too", async () => {
    const t = await createTenant({ policies: { meta: { killSwitchActive: true } } });
    for (const key of [t.keys.partner, t.keys.customer]) {
      const details = expectError(
        await api("POST", createPath(t, "meta"), { key, body: createBody(t, "meta") }),
        403,
        "AUTHORITY_DENIED",
      );
      expect(details.reason).toBe("kill_switch_active");
    }
  });

  it("denies partners when the customer has not enabled partner writes, not the customer", async () => {
    const t = await createTenant({ policies: { meta: { partnerWritesEnabled: false } } });
    const details = expectError(
      await api("POST", createPath(t, "meta"), { key: t.keys.partner, body: createBody(t, "meta") }),
      403,
      "AUTHORITY_DENIED",
    );
    expect(details.reason).toBe("partner_writes_disabled");
    const res = await api("POST", createPath(t, "meta"), {
      key: t.keys.customer,
      body: createBody(t, "meta"),
    });
    expect(res.status, res.text).toBe(202);
  });

  it("denies a partner asking for authority above the layer defaults, not the customer", async () => {
    const t = await createTenant({ policies: { meta: { creative: "draft" } } });
    const details = expectError(
      await api("POST", createPath(t, "meta"), {
        key: t.keys.partner,
        body: createBody(t, "meta", { creativeMode: "autopilot" }),
      }),
      403,
      "AUTHORITY_DENIED",
    );
    expect(details).toMatchObject({
      reason: "exceeds_customer_policy",
      axis: "creative",
      requestedMode: "auto",
      ceilingMode: "draft",
    });
    const res = await api("POST", createPath(t, "meta"), {
      key: t.keys.customer,
      body: createBody(t, "meta"),
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body.authority).toEqual({ creative: "auto", tactical: "auto", structural: "auto" });
    const ok = await api("POST", createPath(t, "meta"), {
      key: t.keys.partner,
      body: createBody(t, "meta", { creativeMode: "draft" }),
    });
    expect(ok.status, ok.text).toBe(202);
  });
});

describe("create campaign: idempotency", () => {
  const idem = (key: string) => ({ "Idempotency-Key": key });

  it("replays the first response byte for byte", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const body = createBody(tenant, "meta");
    const first = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body,
      headers: idem(key),
    });
    expect(first.status, first.text).toBe(202);
    const second = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: { ...body },
      headers: idem(key),
    });
    expect(second.status).toBe(202);
    expect(second.text).toBe(first.text);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("treats the same JSON with its keys in another order as the same body", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const body = createBody(tenant, "meta");
    const first = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body,
      headers: idem(key),
    });
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: reordered,
      headers: idem(key),
    });
    expect(second.text).toBe(first.text);
  });

  it("answers 409 IDEMPOTENCY_CONFLICT for the same key with another body", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: createBody(tenant, "meta"),
      headers: idem(key),
    });
    const res = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: createBody(tenant, "meta", { name: "another" }),
      headers: idem(key),
    });
    expectError(res, 409, "IDEMPOTENCY_CONFLICT");
  });

  it("scopes keys per API key and per route", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const a = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: createBody(tenant, "meta"),
      headers: idem(key),
    });
    const b = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.customer,
      body: createBody(tenant, "meta"),
      headers: idem(key),
    });
    expect(b.status, b.text).toBe(202);
    expect(b.body.campaignId).not.toBe(a.body.campaignId);
    const c = await api("POST", createPath(tenant, "tiktok"), {
      key: tenant.keys.partner,
      body: createBody(tenant, "tiktok"),
      headers: idem(key),
    });
    expect(c.status, c.text).toBe(202);
    expect(c.body.campaignId).not.toBe(a.body.campaignId);
  });

  it("rejects a malformed Idempotency-Key", async () => {
    const res = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body: createBody(tenant, "meta"),
      headers: idem("x".repeat(256)),
    });
    expectError(res, 422, "VALIDATION");
  });

  it("creates exactly one campaign for 50 concurrent identical requests", async () => {
    const t = await createTenant();
    const key = `idem-${crypto.randomUUID()}`;
    const body = createBody(t, "meta", { name: "Concurrent" });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api("POST", createPath(t, "meta"), { key: t.keys.partner, body, headers: idem(key) }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(
      statuses.every((s) => s === 202 || s === 409),
      statuses.join(","),
    ).toBe(true);
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.text)).size).toBe(1);
    for (const conflict of responses.filter((r) => r.status === 409)) {
      expectError(conflict, 409, "CONFLICT");
      expect(conflict.headers.get("Retry-After")).toBe("1");
    }
    const { results } = await env.DB.prepare("SELECT id FROM campaigns WHERE organization_id = ?")
      .bind(t.organizationId)
      .all();
    expect(results).toHaveLength(1);
    const replay = await api("POST", createPath(t, "meta"), {
      key: t.keys.partner,
      body,
      headers: idem(key),
    });
    expect(replay.text).toBe(accepted[0]?.text);
    await waitForJob(t.keys.partner, accepted[0]?.body.jobId as string);
  });

  it("expires records after 24 hours, through the key's idempotency object", async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const body = createBody(tenant, "meta");
    const first = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body,
      headers: idem(key),
    });
    const records = idempotencyObject(env, tenant.keyIds.partner);
    const removed = await runInDurableObject(records, (instance: IdempotencyObject) =>
      instance.purgeExpired(Date.now() + 25 * 3600 * 1000),
    );
    expect(removed).toBeGreaterThanOrEqual(1);
    const again = await api("POST", createPath(tenant, "meta"), {
      key: tenant.keys.partner,
      body,
      headers: idem(key),
    });
    expect(again.status, again.text).toBe(202);
    expect(again.body.campaignId).not.toBe(first.body.campaignId);
  });
});
