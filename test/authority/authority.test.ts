import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { CampaignObject } from "../../src/objects/campaign";
import { api, expectError } from "../helpers/http";
import { createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

const authorityPath = (t: TestTenant, platform: string, campaignId: string) =>
  `/v1/projects/${t.projectId}/ads/${platform}/campaigns/${campaignId}/authority`;
const stub = (campaignId: string) => env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaignId));

describe("GET authority", () => {
  it("shows the pinned block with who set it", async () => {
    const c = await createCampaign(tenant, "meta", {
      wait: false,
      body: { campaignManagementMode: "draft" },
    });
    const res = await api("GET", authorityPath(tenant, "meta", c.campaignId), { key: tenant.keys.readOnly });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      campaignId: c.campaignId,
      platform: "meta",
      authority: { creative: "auto", tactical: "draft", structural: "draft" },
      source: "per_campaign",
      lastModifiedAt: expect.any(String),
      lastModifiedBy: {
        actorType: "partner",
        actorOrganizationId: tenant.organizationId,
        actorApiKeyId: tenant.keyIds.partner,
      },
    });
    expect(res.headers.get("ETag")).toBe('"a1"');
  });

  it("shows the layer defaults for an unpinned campaign, and follows them", async () => {
    const t = await createTenant({ policies: { tiktok: { creative: "draft" } } });
    const c = await createCampaign(t, "tiktok", { key: t.keys.customer, wait: false });
    await runInDurableObject(stub(c.campaignId), async (_instance, state) => {
      const authority = state.storage.kv.get<Record<string, unknown>>("authority");
      state.storage.kv.put("authority", { ...authority, block: null });
    });
    await evictDurableObject(stub(c.campaignId));
    const first = await api("GET", authorityPath(t, "tiktok", c.campaignId), { key: t.keys.partner });
    expect(first.body).toMatchObject({
      source: "layer_defaults",
      authority: { creative: "draft", tactical: "auto", structural: "auto" },
    });
    const patch = await api("PATCH", `/v1/projects/${t.projectId}/ads/tiktok/defaults`, {
      key: t.keys.customer,
      body: { defaults: { tactical: "off" } },
    });
    expect(patch.status, patch.text).toBe(200);
    const second = await api("GET", authorityPath(t, "tiktok", c.campaignId), { key: t.keys.partner });
    expect(second.body).toMatchObject({
      source: "layer_defaults",
      authority: { creative: "draft", tactical: "off", structural: "auto" },
    });
    expect(second.headers.get("ETag")).not.toBe(first.headers.get("ETag"));
  });
});

describe("PATCH authority", () => {
  it("applies a partial update, pins it, and returns a verdict", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false });
    const res = await api("PATCH", authorityPath(tenant, "meta", c.campaignId), {
      key: tenant.keys.partner,
      body: { authority: { tactical: "draft" } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      campaignId: c.campaignId,
      authority: { creative: "auto", tactical: "draft", structural: "auto" },
      verdictId: expect.stringMatching(/^ver_/),
    });
    expect(res.headers.get("ETag")).toBe('"a2"');
    const read = await api("GET", authorityPath(tenant, "meta", c.campaignId), { key: tenant.keys.partner });
    expect(read.body.authority).toEqual(res.body.authority);
  });

  it("lets the customer set any mode, and records the actor", async () => {
    const t = await createTenant({
      policies: { meta: { creative: "off", tactical: "off", structural: "draft" } },
    });
    const c = await createCampaign(t, "meta", { key: t.keys.customer, wait: false });
    const res = await api("PATCH", authorityPath(t, "meta", c.campaignId), {
      key: t.keys.customer,
      body: { authority: { creative: "auto", tactical: "auto", structural: "auto" } },
    });
    expect(res.status, res.text).toBe(200);
    const read = await api("GET", authorityPath(t, "meta", c.campaignId), { key: t.keys.partner });
    expect(read.body.lastModifiedBy).toEqual({
      actorType: "user",
      actorOrganizationId: t.organizationId,
      actorApiKeyId: t.keyIds.customer,
    });
  });

  it("denies a partner raising an axis above the layer default, allows lowering", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    const c = await createCampaign(t, "meta", { key: t.keys.customer, wait: false });
    const denied = await api("PATCH", authorityPath(t, "meta", c.campaignId), {
      key: t.keys.partner,
      body: { authority: { structural: "auto" } },
    });
    expect(expectError(denied, 403, "AUTHORITY_DENIED")).toEqual({
      verdictId: expect.stringMatching(/^ver_/),
      reason: "exceeds_customer_policy",
      axis: "structural",
      requestedMode: "auto",
      ceilingMode: "draft",
    });
    const lowered = await api("PATCH", authorityPath(t, "meta", c.campaignId), {
      key: t.keys.partner,
      body: { authority: { structural: "off", creative: "draft" } },
    });
    expect(lowered.status, lowered.text).toBe(200);
  });

  it("blocks partner policy writes under the kill switch, not the customer's", async () => {
    const t = await createTenant();
    const c = await createCampaign(t, "apple", { wait: false });
    const kill = await api("PATCH", `/v1/projects/${t.projectId}/ads/apple/defaults`, {
      key: t.keys.customer,
      body: { killSwitchActive: true },
    });
    expect(kill.status, kill.text).toBe(200);
    const denied = await api("PATCH", authorityPath(t, "apple", c.campaignId), {
      key: t.keys.partner,
      body: { authority: { creative: "off" } },
    });
    expect(expectError(denied, 403, "AUTHORITY_DENIED").reason).toBe("kill_switch_active");
    const allowed = await api("PATCH", authorityPath(t, "apple", c.campaignId), {
      key: t.keys.customer,
      body: { authority: { creative: "off" } },
    });
    expect(allowed.status, allowed.text).toBe(200);
  });

  it("records a verdict for allowed and denied changes alike", async () => {
    const t = await createTenant({ policies: { meta: { creative: "draft" } } });
    const c = await createCampaign(t, "meta", { key: t.keys.customer, wait: false });
    const ok = await api("PATCH", authorityPath(t, "meta", c.campaignId), {
      key: t.keys.partner,
      body: { authority: { creative: "off" } },
    });
    const no = await api("PATCH", authorityPath(t, "meta", c.campaignId), {
      key: t.keys.partner,
      body: { authority: { creative: "auto" } },
    });
    const deniedId = expectError(no, 403, "AUTHORITY_DENIED").verdictId;
    for (const [verdictId, decision] of [
      [ok.body.verdictId, "allow"],
      [deniedId, "deny"],
    ]) {
      const row = await env.DB.prepare(
        "SELECT data FROM audit_events WHERE verdict_id = ? AND event_type = 'verdict'",
      )
        .bind(verdictId)
        .first<{ data: string }>();
      expect(JSON.parse(row?.data ?? "{}"), String(verdictId)).toMatchObject({
        action: "update_authority",
        decision,
      });
    }
  });

  it("honours If-Match: a stale tag answers 412, a fresh one applies", async () => {
    const c = await createCampaign(tenant, "tiktok", { wait: false });
    const read = await api("GET", authorityPath(tenant, "tiktok", c.campaignId), {
      key: tenant.keys.partner,
    });
    const etag = read.headers.get("ETag") ?? "";
    const first = await api("PATCH", authorityPath(tenant, "tiktok", c.campaignId), {
      key: tenant.keys.partner,
      body: { authority: { creative: "draft" } },
      headers: { "If-Match": etag },
    });
    expect(first.status, first.text).toBe(200);
    const stale = await api("PATCH", authorityPath(tenant, "tiktok", c.campaignId), {
      key: tenant.keys.partner,
      body: { authority: { creative: "off" } },
      headers: { "If-Match": etag },
    });
    expect(expectError(stale, 412, "PRECONDITION_FAILED").currentETag).toBe(first.headers.get("ETag"));
    const after = await api("GET", authorityPath(tenant, "tiktok", c.campaignId), {
      key: tenant.keys.partner,
    });
    expect(after.body.authority).toMatchObject({ creative: "draft" });
  });

  it.each([
    ["an empty authority object", { authority: {} }],
    ["no authority", {}],
    ["an unknown mode", { authority: { creative: "max" } }],
    ["an unknown axis", { authority: { budget: "auto" } }],
    ["an extra field", { authority: { creative: "off" }, force: true }],
    ["a non-object", { authority: "auto" }],
  ])("answers 422 for %s", async (_label, body) => {
    const c = await createCampaign(tenant, "meta", { wait: false });
    expectError(
      await api("PATCH", authorityPath(tenant, "meta", c.campaignId), { key: tenant.keys.partner, body }),
      422,
      "VALIDATION",
    );
  });
});

describe("authority: security", () => {
  it("requires ads:read to read and ads:write:policy to write", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false });
    const noScopes = await tenant.addKey({ scopes: ["jobs:read"] });
    expect(
      expectError(
        await api("GET", authorityPath(tenant, "meta", c.campaignId), { key: noScopes.key }),
        403,
        "FORBIDDEN_SCOPE",
      ),
    ).toEqual({
      requiredScope: "ads:read",
    });
    const patch = await api("PATCH", authorityPath(tenant, "meta", c.campaignId), {
      key: tenant.keys.readOnly,
      body: { authority: { creative: "off" } },
    });
    expect(expectError(patch, 403, "FORBIDDEN_SCOPE")).toEqual({ requiredScope: "ads:write:policy" });
  });

  it("answers 404 for another organization's campaign, another platform, and malformed ids", async () => {
    const other = await createTenant();
    const theirs = await createCampaign(other, "meta", { wait: false });
    const mine = await createCampaign(tenant, "meta", { wait: false });
    expectError(
      await api("GET", authorityPath(tenant, "meta", theirs.campaignId), { key: tenant.keys.partner }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("GET", authorityPath(other, "meta", theirs.campaignId), { key: tenant.keys.partner }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("PATCH", authorityPath(tenant, "meta", theirs.campaignId), {
        key: tenant.keys.customer,
        body: { authority: { creative: "off" } },
      }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("GET", authorityPath(tenant, "tiktok", mine.campaignId), { key: tenant.keys.partner }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("GET", authorityPath(tenant, "meta", "cmp_nope"), { key: tenant.keys.partner }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("GET", authorityPath(tenant, "meta", "cmp_01JD9999999999999999999999"), {
        key: tenant.keys.partner,
      }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("authority: concurrency and durability", () => {
  it("serializes 100 concurrent PATCHes: none lost, each with its verdict and audit row", async () => {
    const t = await createTenant();
    const c = await createCampaign(t, "meta", { key: t.keys.customer, wait: false });
    const modes = ["off", "draft", "auto"] as const;
    const bodies = Array.from({ length: 100 }, (_, i) => ({
      authority: { creative: modes[i % 3], tactical: modes[(i + 1) % 3], structural: modes[(i + 2) % 3] },
    }));
    const responses = await Promise.all(
      bodies.map((body) =>
        api("PATCH", authorityPath(t, "meta", c.campaignId), { key: t.keys.customer, body }),
      ),
    );
    expect(
      responses.map((r) => r.status).every((s) => s === 200),
      responses.map((r) => r.text).join("\n"),
    ).toBe(true);
    const verdictIds = new Set(responses.map((r) => r.body.verdictId));
    expect(verdictIds.size).toBe(100);
    const { results } = await env.DB.prepare(
      "SELECT verdict_id, data FROM audit_events WHERE organization_id = ? AND event_type = 'authority.changed' ORDER BY seq",
    )
      .bind(t.organizationId)
      .all<{ verdict_id: string; data: string }>();
    expect(results).toHaveLength(100);
    const versions = results.map((r) => (JSON.parse(r.data) as { version: number }).version);
    expect(versions).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    const lastApplied = JSON.parse(results.at(-1)?.data ?? "{}") as { next: unknown };
    const final = await api("GET", authorityPath(t, "meta", c.campaignId), { key: t.keys.customer });
    expect(final.body.authority).toEqual(lastApplied.next);
    expect(final.headers.get("ETag")).toBe('"a101"');
    const verdicts = await env.DB.prepare(
      "SELECT count(DISTINCT verdict_id) AS n FROM audit_events WHERE organization_id = ? AND event_type = 'verdict' AND json_extract(data, '$.action') = 'update_authority'",
    )
      .bind(t.organizationId)
      .first<{ n: number }>();
    expect(verdicts?.n).toBe(100);
  });

  it("keeps its state across eviction", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false });
    await api("PATCH", authorityPath(tenant, "meta", c.campaignId), {
      key: tenant.keys.partner,
      body: { authority: { tactical: "off" } },
    });
    await evictDurableObject(stub(c.campaignId));
    const read = await api("GET", authorityPath(tenant, "meta", c.campaignId), { key: tenant.keys.partner });
    expect(read.body.authority).toEqual({ creative: "auto", tactical: "off", structural: "auto" });
    expect(read.headers.get("ETag")).toBe('"a2"');
    const patched = await api("PATCH", authorityPath(tenant, "meta", c.campaignId), {
      key: tenant.keys.partner,
      body: { authority: { creative: "off" } },
    });
    expect(patched.headers.get("ETag")).toBe('"a3"');
  });

  it("recovers a D1 write that failed after the object committed, through its alarm", async () => {
    const c = await createCampaign(tenant, "meta", { wait: false });
    const result = await runInDurableObject(stub(c.campaignId), async (instance: CampaignObject) => {
      const realSinks = instance.outbox.sinks;
      instance.outbox.sinks = { ...realSinks, project: () => Promise.reject(new Error("D1 is unavailable")) };
      try {
        return await instance.patchAuthority({
          scope: { organizationId: tenant.organizationId, projectId: tenant.projectId, platform: "meta" },
          requested: { creative: "off" },
          ifMatch: null,
          layer: {
            defaults: { creative: "auto", tactical: "auto", structural: "auto" },
            controls: {
              killSwitchActive: false,
              partnerWritesEnabled: true,
              partnerDefaultsChangesAllowed: true,
              partnerApprovalsEnabled: false,
            },
            version: 1,
          },
          verdictId: "ver_01JDTEST000000000000000000",
          meta: {
            actor: {
              actorType: "user",
              actorOrganizationId: tenant.organizationId,
              actorApiKeyId: tenant.keyIds.customer,
            },
            requestId: "req_test",
            sandbox: true,
          },
        });
      } finally {
        instance.outbox.sinks = realSinks;
      }
    });
    expect(result.ok).toBe(true);
    const stale = await env.DB.prepare("SELECT authority FROM campaigns WHERE id = ?")
      .bind(c.campaignId)
      .first<{ authority: string }>();
    expect(JSON.parse(stale?.authority ?? "{}")).toMatchObject({ creative: "auto" });
    // The alarm is set for the entry's next attempt; deliver as of then.
    const redelivered = await runInDurableObject(
      stub(c.campaignId),
      async (instance: CampaignObject, state) => {
        const alarm = await state.storage.getAlarm();
        expect(alarm, "an alarm is set for the redelivery").not.toBeNull();
        // As of an hour later: past every backoff (at most five minutes).
        await instance.outbox.deliver(Date.now() + 3_600_000);
        return instance.outbox.isEmpty;
      },
    );
    expect(redelivered).toBe(true);
    const fresh = await env.DB.prepare("SELECT authority FROM campaigns WHERE id = ?")
      .bind(c.campaignId)
      .first<{ authority: string }>();
    expect(JSON.parse(fresh?.authority ?? "{}")).toMatchObject({ creative: "off" });
  });
});
