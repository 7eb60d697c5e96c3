/**
 * The layer object as the single writer of its policy: a change and its audit events are
 * committed together and delivered through an outbox, so a failing sink (D1 down, ledger
 * down) delays one of them but never loses it, and an entry that never lands is parked.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { outboxRetryPolicy } from "../../src/env";
import { liveSinks } from "../../src/objects/layer/sinks";
import { type LayerPolicyObject, layerPolicyObject } from "../../src/objects/layer-policy";
import { api, expectError } from "../helpers/http";
import { createBody } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const defaultsPath = (t: TestTenant) => `/v1/projects/${t.projectId}/ads/meta/defaults`;
const HOUR = 3_600_000;

const down = (what: string) => async () => {
  throw new Error(`${what} down`);
};

function inLayer<T>(
  t: TestTenant,
  fn: (instance: LayerPolicyObject, state: DurableObjectState) => T | Promise<T>,
): Promise<T> {
  return runInDurableObject(layerPolicyObject(env, t.layerId), fn);
}

async function d1Policy(t: TestTenant) {
  return env.DB.prepare(
    "SELECT structural, version FROM layer_policies WHERE layer_id = ? AND platform = 'meta'",
  )
    .bind(t.layerId)
    .first<{ structural: string; version: number }>();
}

async function auditTypes(verdictId: string) {
  const { results } = await env.DB.prepare(
    "SELECT event_type FROM audit_events WHERE verdict_id = ? ORDER BY seq",
  )
    .bind(verdictId)
    .all<{ event_type: string }>();
  return results.map((r) => r.event_type);
}

async function tenantWithLoadedLayer() {
  const t = await createTenant();
  const read = await api("GET", defaultsPath(t), { key: t.keys.customer });
  expect(read.status, read.text).toBe(200);
  return t;
}

describe("layer policy: one writer, change and audit together", () => {
  it("with D1 down, the change and its audit land; the D1 copy follows once D1 is back", async () => {
    const t = await tenantWithLoadedLayer();
    await inLayer(t, (o) => {
      o.sinks = { ...liveSinks(env), projectPolicies: down("D1") };
    });
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { defaults: { structural: "off" } },
    });
    expect(res.status, res.text).toBe(200);
    const verdictId = res.body.verdictId as string;
    expect(await auditTypes(verdictId)).toEqual(["verdict", "defaults.changed"]);
    expect(await d1Policy(t)).toEqual({ structural: "auto", version: 1 });
    // Writes are judged by the object, not by D1's stale copy.
    const create = await api("POST", `/v1/projects/${t.projectId}/ads/meta/campaigns`, {
      key: t.keys.partner,
      body: createBody(t, "meta"),
    });
    expect(expectError(create, 403, "AUTHORITY_DENIED").reason).toBe("authority_axis_off");

    await inLayer(t, async (o) => {
      o.sinks = liveSinks(env);
      await o.deliverDue(Date.now() + HOUR);
      expect(o.pendingEffects()).toBe(0);
    });
    expect(await d1Policy(t)).toEqual({ structural: "off", version: 2 });
    expect(await auditTypes(verdictId)).toEqual(["verdict", "defaults.changed"]);
  });

  it("when the storage commit fails, neither the change nor its audit events exist", async () => {
    const t = await tenantWithLoadedLayer();
    const restore = await inLayer(t, (_o, state) => {
      const kv = state.storage.kv;
      const realPut = kv.put.bind(kv);
      const put = vi.spyOn(kv, "put").mockImplementation((key, value) => {
        // The transaction's last write (the audit entry) fails: everything before it rolls back.
        if ((value as { payload?: { kind?: string } })?.payload?.kind === "audit")
          throw new Error("disk full");
        realPut(key, value);
      });
      return () => put.mockRestore();
    });
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { defaults: { structural: "off" } },
    });
    restore();
    expectError(res, 500, "INTERNAL");
    await inLayer(t, async (o) => {
      expect(o.pendingEffects()).toBe(0);
      await o.deliverDue(Date.now() + HOUR);
    });
    const read = await api("GET", defaultsPath(t), { key: t.keys.customer });
    expect(read.body).toMatchObject({ defaults: { structural: "auto" } });
    expect(read.headers.get("ETag")).toBe('"l1"');
    expect(await d1Policy(t)).toEqual({ structural: "auto", version: 1 });
    const { results } = await env.DB.prepare("SELECT event_type FROM audit_events WHERE organization_id = ?")
      .bind(t.organizationId)
      .all();
    expect(results).toEqual([]);
  });

  it("with the ledger down, the audit events follow the change exactly once", async () => {
    const t = await tenantWithLoadedLayer();
    await inLayer(t, (o) => {
      o.sinks = { ...liveSinks(env), appendAudit: down("ledger") };
    });
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { defaults: { structural: "draft" } },
    });
    expect(res.status, res.text).toBe(200);
    const denied = await api("PATCH", defaultsPath(t), {
      key: t.keys.partner,
      body: { killSwitchActive: true },
    });
    const deniedVerdict = expectError(denied, 403, "AUTHORITY_DENIED").verdictId as string;
    const verdictId = res.body.verdictId as string;
    expect(await d1Policy(t)).toEqual({ structural: "draft", version: 2 });
    expect(await auditTypes(verdictId)).toEqual([]);
    expect(await auditTypes(deniedVerdict)).toEqual([]);

    await inLayer(t, async (o) => {
      o.sinks = liveSinks(env);
      await o.deliverDue(Date.now() + HOUR);
      await o.deliverDue(Date.now() + 2 * HOUR);
      expect(o.pendingEffects()).toBe(0);
    });
    expect(await auditTypes(verdictId)).toEqual(["verdict", "defaults.changed"]);
    expect(await auditTypes(deniedVerdict)).toEqual(["verdict"]);
  });

  it("parks an entry after its last attempt, says so in the audit log, and requeues it on demand", async () => {
    const t = await tenantWithLoadedLayer();
    let d1Calls = 0;
    await inLayer(t, (o) => {
      o.sinks = {
        ...liveSinks(env),
        projectPolicies: async () => {
          d1Calls += 1;
          throw new Error("constraint violation");
        },
      };
    });
    const res = await api("PATCH", defaultsPath(t), {
      key: t.keys.customer,
      body: { partnerApprovalsEnabled: true },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.partnerApprovalsEnabled).toBe(true);

    const parked = await inLayer(t, async (o) => {
      for (let i = 1; i <= 20; i++) await o.deliverDue(Date.now() + i * 1000 * HOUR);
      return o.parkedEntries();
    });
    // Tried OUTBOX_MAX_ATTEMPTS times (wrangler.toml), then left alone.
    const maxAttempts = outboxRetryPolicy(env).maxAttempts;
    expect(d1Calls).toBe(maxAttempts);
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ attempts: maxAttempts, lastError: "constraint violation" });
    const { results } = await env.DB.prepare(
      "SELECT data FROM audit_events WHERE organization_id = ? AND event_type = 'outbox.parked'",
    )
      .bind(t.organizationId)
      .all<{ data: string }>();
    expect(results.map((r) => JSON.parse(r.data))).toEqual([
      expect.objectContaining({
        object: "layer_policy",
        kind: "project",
        attempts: maxAttempts,
        layerId: t.layerId,
      }),
    ]);

    await inLayer(t, async (o) => {
      o.sinks = liveSinks(env);
      expect(o.requeueParked(parked[0]?.id as string)).toBe(true);
      await o.deliverDue(Date.now());
      expect(o.parkedEntries()).toEqual([]);
      expect(o.pendingEffects()).toBe(0);
    });
    expect((await d1Policy(t))?.version).toBe(2);
    const read = await api("GET", defaultsPath(t), { key: t.keys.partner });
    expect(read.body).toMatchObject({ partnerApprovalsEnabled: true });
  });

  it.each([
    ["already in memory", true],
    ["still to be loaded from D1", false],
  ])(
    "applies 20 concurrent changes one at a time, each with its verdict and version (layer %s)",
    async (_, loaded) => {
      const t = loaded ? await tenantWithLoadedLayer() : await createTenant();
      const modes = ["off", "draft", "auto"] as const;
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          api("PATCH", defaultsPath(t), {
            key: t.keys.customer,
            body: { defaults: { tactical: modes[i % 3] } },
          }),
        ),
      );
      expect(
        responses.map((r) => r.status),
        responses.map((r) => r.text).join("\n"),
      ).toEqual(Array(20).fill(200));
      const { results } = await env.DB.prepare(
        "SELECT json_extract(data, '$.version') AS version FROM audit_events WHERE organization_id = ? AND event_type = 'defaults.changed' ORDER BY seq",
      )
        .bind(t.organizationId)
        .all<{ version: number }>();
      expect(results.map((r) => r.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
      expect((await d1Policy(t))?.version).toBe(21);
    },
  );
});
