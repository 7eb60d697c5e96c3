import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { chainPage } from "../../src/db/audit";
import { chainHash, GENESIS_HASH } from "../../src/domain/audit-chain";
import { recordAudit } from "../../src/objects/audit-ledger";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditEvent, storedChain, verifyAuditLog } from "./fixtures";

/** A tenant whose chain holds `count` events; returns their ids in chain order. */
async function tenantWithChain(count: number): Promise<{ tenant: TestTenant; eventIds: string[] }> {
  const tenant = await createTenant();
  const events = Array.from({ length: count }, (_, i) => auditEvent(tenant, { data: { position: i + 1 } }));
  for (let i = 0; i < events.length; i += 100) await recordAudit(env, events.slice(i, i + 100));
  return { tenant, eventIds: events.map((e) => e.eventId) };
}

async function expectVerification(tenant: TestTenant, expected: Record<string, unknown>) {
  const res = await verifyAuditLog(tenant);
  expect(res.status, res.text).toBe(200);
  expect(res.body, res.text).toEqual(expected);
  expect(res.headers.get("X-RateLimit-Endpoint-Class")).toBe("long_running");
}

describe("GET /v1/audit-log/verify", () => {
  it("reports an empty chain as valid at the genesis hash", async () => {
    const tenant = await createTenant();
    await expectVerification(tenant, { valid: true, events: 0, headHash: GENESIS_HASH });
  });

  it("reports an intact chain as valid, with the newest event's hash as head", async () => {
    const { tenant } = await tenantWithChain(5);
    const chain = await storedChain(tenant.organizationId);
    expect(chain.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(chain[0]?.prev_hash).toBe(GENESIS_HASH);
    await expectVerification(tenant, { valid: true, events: 5, headHash: chain[4]?.hash });
  });

  it("finds an event whose data was altered in place", async () => {
    const { tenant, eventIds } = await tenantWithChain(5);
    const target = eventIds[2] as string;
    await env.DB.prepare("UPDATE audit_events SET data = ? WHERE id = ?")
      .bind(JSON.stringify({ position: 99 }), target)
      .run();
    const chain = await storedChain(tenant.organizationId);
    await expectVerification(tenant, {
      valid: false,
      events: 5,
      headHash: chain[4]?.hash,
      firstBrokenEventId: target,
    });
  });

  it.each([
    ["event type", "UPDATE audit_events SET event_type = 'innocent' WHERE id = ?"],
    ["time", "UPDATE audit_events SET occurred_at = '2000-01-01T00:00:00.000Z' WHERE id = ?"],
    ["acting key", "UPDATE audit_events SET api_key_id = NULL WHERE id = ?"],
    ["verdict", "UPDATE audit_events SET verdict_id = 'ver_01JD2V4W3X5Y6Z7A8B9C0D1E2F' WHERE id = ?"],
  ])("finds an event whose %s was altered", async (_label, sql) => {
    const { tenant, eventIds } = await tenantWithChain(4);
    await env.DB.prepare(sql).bind(eventIds[1]).run();
    const res = await verifyAuditLog(tenant);
    expect(res.body, res.text).toMatchObject({ valid: false, events: 4, firstBrokenEventId: eventIds[1] });
  });

  it("finds the next event when an altered event's own hash was recomputed to match", async () => {
    const { tenant, eventIds } = await tenantWithChain(5);
    const target = eventIds[2] as string;
    const row = (await chainPage(env.DB, tenant.organizationId, 2, 1))[0];
    if (row?.eventId !== target) throw new Error(`expected ${target} at seq 3, got ${JSON.stringify(row)}`);
    const { seq, prevHash, hash: _hash, ...event } = row;
    const forged = { ...event, data: { position: 99 } };
    await env.DB.prepare("UPDATE audit_events SET data = ?, hash = ? WHERE id = ?")
      .bind(JSON.stringify(forged.data), await chainHash(forged, seq, prevHash), target)
      .run();
    const res = await verifyAuditLog(tenant);
    expect(res.body, res.text).toMatchObject({ valid: false, events: 5, firstBrokenEventId: eventIds[3] });
  });

  it.each([
    ["the first", 0, 1],
    ["a middle", 2, 3],
  ])("finds %s event deleted", async (_label, deleted, brokenAt) => {
    const { tenant, eventIds } = await tenantWithChain(5);
    await env.DB.prepare("DELETE FROM audit_events WHERE id = ?").bind(eventIds[deleted]).run();
    const res = await verifyAuditLog(tenant);
    expect(res.body, res.text).toMatchObject({
      valid: false,
      events: 4,
      firstBrokenEventId: eventIds[brokenAt],
    });
  });

  it("shows a deleted newest event through a changed head hash", async () => {
    const { tenant, eventIds } = await tenantWithChain(3);
    const before = await verifyAuditLog(tenant);
    await env.DB.prepare("DELETE FROM audit_events WHERE id = ?").bind(eventIds[2]).run();
    const after = await verifyAuditLog(tenant);
    expect(after.body, after.text).toMatchObject({ valid: true, events: 2 });
    expect(after.body.headHash).not.toBe(before.body.headHash);
  });

  it("finds two swapped events", async () => {
    const { tenant, eventIds } = await tenantWithChain(4);
    // Park seq 2 out of the way (seq is unique per organization), then swap positions 2 and 3.
    await env.DB.batch([
      env.DB.prepare("UPDATE audit_events SET seq = -2 WHERE id = ?").bind(eventIds[1]),
      env.DB.prepare("UPDATE audit_events SET seq = 2 WHERE id = ?").bind(eventIds[2]),
      env.DB.prepare("UPDATE audit_events SET seq = 3 WHERE id = ?").bind(eventIds[1]),
    ]);
    const res = await verifyAuditLog(tenant);
    expect(res.body, res.text).toMatchObject({ valid: false, events: 4, firstBrokenEventId: eventIds[2] });
  });

  it("walks a chain longer than one page and finds a break on a later page", async () => {
    const { tenant, eventIds } = await tenantWithChain(1_100);
    const chain = await storedChain(tenant.organizationId);
    await expectVerification(tenant, { valid: true, events: 1_100, headHash: chain.at(-1)?.hash });
    await env.DB.prepare("UPDATE audit_events SET data = '{}' WHERE id = ?").bind(eventIds[1_050]).run();
    const res = await verifyAuditLog(tenant);
    expect(res.body, res.text).toMatchObject({
      valid: false,
      events: 1_100,
      firstBrokenEventId: eventIds[1_050],
    });
  });

  it("checks only the caller's organization", async () => {
    const { tenant: broken, eventIds } = await tenantWithChain(2);
    const { tenant: intact } = await tenantWithChain(3);
    await env.DB.prepare("UPDATE audit_events SET data = '{}' WHERE id = ?").bind(eventIds[0]).run();
    expect((await verifyAuditLog(broken)).body).toMatchObject({ valid: false, events: 2 });
    expect((await verifyAuditLog(intact)).body).toMatchObject({ valid: true, events: 3 });
  });
});
