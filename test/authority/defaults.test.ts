import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";

const defaultsPath = (t: TestTenant, platform = "meta") =>
  `/v1/projects/${t.projectId}/ads/${platform}/defaults`;

describe("layer defaults", () => {
  it("reads the block and the customer's switches", async () => {
    const t = await createTenant({
      policies: { apple: { tactical: "draft", partnerDefaultsChangesAllowed: false } },
    });
    const res = await api("GET", defaultsPath(t, "apple"), { key: t.keys.readOnly });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      layerId: t.layerId,
      platform: "apple",
      defaults: { creative: "auto", tactical: "draft", structural: "auto" },
      killSwitchActive: false,
      partnerWritesEnabled: true,
      partnerDefaultsChangesAllowed: false,
      partnerApprovalsEnabled: false,
      lastModifiedAt: expect.any(String),
      lastModifiedBy: { actorType: "system", actorOrganizationId: null, actorApiKeyId: null },
    });
    expect(res.headers.get("ETag")).toBe('"l1"');
  });

  it("lets the customer change anything, with a verdict and an audit row", async () => {
    const t = await createTenant();
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: {
        defaults: { structural: "off" },
        killSwitchActive: true,
        partnerWritesEnabled: false,
        partnerDefaultsChangesAllowed: false,
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      defaults: { creative: "auto", tactical: "auto", structural: "off" },
      killSwitchActive: true,
      partnerWritesEnabled: false,
      partnerDefaultsChangesAllowed: false,
      lastModifiedBy: { actorType: "user", actorApiKeyId: t.keyIds.customer },
      verdictId: expect.stringMatching(/^ver_/),
    });
    const row = await env.DB.prepare(
      "SELECT data FROM audit_events WHERE verdict_id = ? AND event_type = 'defaults.changed'",
    )
      .bind(res.body.verdictId)
      .first<{ data: string }>();
    expect(JSON.parse(row?.data ?? "{}")).toMatchObject({ version: 2, next: { killSwitchActive: true } });
    const read = await api("GET", defaultsPath(t), { key: t.keys.partner });
    expect(read.body).toMatchObject({ killSwitchActive: true, defaults: { structural: "off" } });
  });

  it("lets partners lower defaults while allowed; never raise", async () => {
    const t = await createTenant({ policies: { meta: { creative: "draft" } } });
    const lowered = await api("PATCH", defaultsPath(t), {
      key: t.keys.partner,
      body: { defaults: { tactical: "draft" } },
    });
    expect(lowered.status, lowered.text).toBe(200);
    const raised = await api("PATCH", defaultsPath(t), {
      key: t.keys.partner,
      body: { defaults: { creative: "auto" } },
    });
    expect(expectError(raised, 403, "AUTHORITY_DENIED")).toMatchObject({
      reason: "exceeds_customer_policy",
      axis: "creative",
      requestedMode: "auto",
      ceilingMode: "draft",
    });
  });

  it("locks partners out where the customer does not allow defaults changes", async () => {
    const t = await createTenant({ policies: { meta: { partnerDefaultsChangesAllowed: false } } });
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.partner,
      body: { defaults: { tactical: "off" } },
    });
    expect(expectError(res, 403, "AUTHORITY_DENIED").reason).toBe("partner_defaults_locked");
  });

  it.each([
    { killSwitchActive: true },
    { killSwitchActive: false },
    { partnerWritesEnabled: true },
    { partnerDefaultsChangesAllowed: true },
  ])("reserves %o to the customer", async (body) => {
    const t = await createTenant();
    const res = await api("PATCH", defaultsPath(t), { key: t.keys.partner, body });
    expect(expectError(res, 403, "AUTHORITY_DENIED").reason).toBe("user_only_control");
  });

  it("blocks partner defaults changes under the kill switch", async () => {
    const t = await createTenant({ policies: { meta: { killSwitchActive: true } } });
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.partner,
      body: { defaults: { tactical: "off" } },
    });
    expect(expectError(res, 403, "AUTHORITY_DENIED").reason).toBe("kill_switch_active");
    const released = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { killSwitchActive: false },
    });
    expect(released.status, released.text).toBe(200);
  });

  it("honours If-Match and serializes concurrent writers without losing one", async () => {
    const t = await createTenant();
    const stale = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { defaults: { creative: "off" } },
      headers: { "If-Match": '"l0"' },
    });
    expectError(stale, 412, "PRECONDITION_FAILED");
    const axes = ["creative", "tactical", "structural"] as const;
    const responses = await Promise.all(
      axes.map((axis) =>
        api("PATCH", defaultsPath(t), { key: t.keys.customer, body: { defaults: { [axis]: "draft" } } }),
      ),
    );
    expect(
      responses.map((r) => r.status),
      responses.map((r) => r.text).join("\n"),
    ).toEqual([200, 200, 200]);
    const read = await api("GET", defaultsPath(t), { key: t.keys.customer });
    expect(read.body.defaults).toEqual({ creative: "draft", tactical: "draft", structural: "draft" });
    expect(read.headers.get("ETag")).toBe('"l4"');
  });

  it.each([
    {},
    { defaults: {} },
    { defaults: { creative: "on" } },
    { killSwitchActive: "yes" },
    { layerId: "x" },
  ])("answers 422 for %o", async (body) => {
    const t = await createTenant();
    expectError(await api("PATCH", defaultsPath(t), { key: t.keys.customer, body }), 422, "VALIDATION");
  });

  it("keeps organizations apart and checks scopes", async () => {
    const t = await createTenant();
    const other = await createTenant();
    expectError(await api("GET", defaultsPath(other), { key: t.keys.customer }), 404, "NOT_FOUND");
    expectError(
      await api("PATCH", defaultsPath(other), { key: t.keys.customer, body: { killSwitchActive: true } }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("PATCH", defaultsPath(t), { key: t.keys.readOnly, body: { defaults: { creative: "off" } } }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expectError(
      await api("GET", `/v1/projects/${t.projectId}/ads/google/defaults`, { key: t.keys.customer }),
      404,
      "NOT_FOUND",
    );
  });
});
