// Findings of the hostile review (#12 item 9) on input handling: each test failed before its fix.
import { beforeAll, describe, expect, it } from "vitest";
import { findFresh } from "../../src/db/fresh";
import { newId } from "../../src/domain/ids";
import { api, expectError } from "../helpers/http";
import { createBody, createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

const campaigns = (platform: string) => `/v1/projects/${tenant.projectId}/ads/${platform}/campaigns`;

describe("Content-Type", () => {
  it.each([
    "application/json ; charset=utf-8",
    "application/json;charset=utf-8",
    "Application/JSON ;charset=UTF-8",
  ])("accepts %s", async (contentType) => {
    const res = await api("POST", campaigns("meta"), {
      key: tenant.keys.partner,
      rawBody: JSON.stringify(createBody(tenant, "meta")),
      headers: { "Content-Type": contentType },
    });
    expect(res.status, res.text).toBe(202);
  });

  it("still refuses a media type that is not JSON", async () => {
    const res = await api("POST", campaigns("meta"), {
      key: tenant.keys.partner,
      rawBody: JSON.stringify(createBody(tenant, "meta")),
      headers: { "Content-Type": "text/plain ; charset=utf-8" },
    });
    expectError(res, 400, "VALIDATION");
  });
});

describe("limit", () => {
  it.each(["0x10", "1e1", "+5", " 5", "5.0", "0"])("refuses limit=%s (plain decimal only)", async (limit) => {
    const res = await api("GET", `/v1/audit-log?limit=${encodeURIComponent(limit)}`, {
      key: tenant.keys.customer,
    });
    expectError(res, 422, "VALIDATION");
  });

  it("is documented as an integer", async () => {
    const doc = await api<{
      paths: Record<
        string,
        Record<string, { parameters: { name: string; schema: Record<string, unknown> }[] }>
      >;
    }>("GET", "/openapi.json");
    const limit = doc.body.paths["/v1/audit-log"]?.get?.parameters.find((p) => p.name === "limit");
    expect(limit?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 200 });
  });

  it("takes limit=16", async () => {
    const res = await api("GET", "/v1/audit-log?limit=16", { key: tenant.keys.customer });
    expect(res.status, res.text).toBe(200);
  });
});

describe("pause, resume and delete bodies", () => {
  it("refuse unknown fields like create does, and take no body or an empty object", async () => {
    const { campaignId } = await createCampaign(tenant, "meta");
    const path = `${campaigns("meta")}/${campaignId}`;
    for (const [method, suffix] of [
      ["POST", "/pause"],
      ["POST", "/resume"],
      ["DELETE", ""],
    ] as const) {
      const res = await api(method, `${path}${suffix}`, { key: tenant.keys.partner, body: { force: true } });
      const details = expectError(res, 422, "VALIDATION");
      expect(details.issues).toEqual([expect.objectContaining({ path: "force", message: "Unknown field." })]);
    }
    expect((await api("POST", `${path}/pause`, { key: tenant.keys.partner, body: {} })).status).toBe(202);
    expect((await api("POST", `${path}/resume`, { key: tenant.keys.partner })).status).toBe(202);
  });
});

describe("metadata", () => {
  it("keeps a key named __proto__ verbatim", async () => {
    const raw = `{"adAccountId":"${tenant.adAccounts.meta}","name":"proto","outcome":"conversions","dailyBudgetCents":5000,"campaignManagementMode":"autopilot","creativeMode":"autopilot","metadata":{"__proto__":{"admin":true},"source":"crm"}}`;
    const res = await api<{ campaignId: string }>("POST", campaigns("meta"), {
      key: tenant.keys.partner,
      rawBody: raw,
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status, res.text).toBe(202);
    const read = await api("GET", `${campaigns("meta")}/${res.body.campaignId}`, {
      key: tenant.keys.partner,
    });
    expect(read.status, read.text).toBe(200);
    expect(read.text).toContain(`"metadata":{"__proto__":{"admin":true},"source":"crm"}`);
  });
});

describe("budget caps", () => {
  it.each([
    ["meta", { dailyBudgetCents: 2 ** 53 - 1 }],
    [
      "meta",
      { dailyBudgetCents: undefined, lifetimeBudgetCents: 100_000_001, endTime: "2099-01-01T00:00:00Z" },
    ],
    ["tiktok", { dailyBudgetCents: 1_000_000_001 }],
    ["apple", { dailyBudgetCents: 100_000_001 }],
  ])("refuses a %s budget above what the platform accepts (%j)", async (platform, overrides) => {
    const res = await api("POST", campaigns(platform), {
      key: tenant.keys.partner,
      body: createBody(tenant, platform as "meta", overrides),
    });
    const details = expectError(res, 422, "VALIDATION");
    expect(JSON.stringify(details.issues)).toContain("at most");
  });

  it("refuses a budget change above the cap", async () => {
    const { campaignId } = await createCampaign(tenant, "meta");
    const res = await api("PATCH", `${campaigns("meta")}/${campaignId}/budget`, {
      key: tenant.keys.partner,
      body: { dailyBudgetCents: 100_000_001 },
    });
    expectError(res, 422, "VALIDATION");
    const atCap = await api("PATCH", `${campaigns("meta")}/${campaignId}/budget`, {
      key: tenant.keys.partner,
      body: { dailyBudgetCents: 100_000_000 },
    });
    expect(atCap.status, atCap.text).toBe(202);
  });
});

describe("fresh ids", () => {
  it("do not wait for an id the system did not mint, however fresh its timestamp", async () => {
    let lookups = 0;
    const found = await findFresh(
      newId("job"),
      async () => {
        lookups += 1;
        return null;
      },
      async () => false,
    );
    expect(found).toBeNull();
    expect(lookups).toBe(1);
  });

  it("answer a forged job id minted now with 404, and a real one at once", async () => {
    expectError(await api("GET", `/v1/jobs/${newId("job")}`, { key: tenant.keys.partner }), 404, "NOT_FOUND");
    const created = await createCampaign(tenant, "meta", { wait: false });
    const res = await api("GET", `/v1/jobs/${created.jobId}`, { key: tenant.keys.partner });
    expect(res.status, res.text).toBe(200);
  });
});
