import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "../../src/objects/audit-ledger";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditEvent, listAllAuditEvents, listAuditLog, verifyAuditLog } from "./fixtures";

let tenant: TestTenant;
let other: TestTenant;
const mine: string[] = [];
const theirs: string[] = [];
beforeAll(async () => {
  [tenant, other] = await Promise.all([createTenant({ name: "Mine" }), createTenant({ name: "Theirs" })]);
  const occurredAt = "2025-06-01T10:00:00.000Z";
  const myEvents = Array.from({ length: 3 }, () => auditEvent(tenant, { occurredAt }));
  const theirEvents = Array.from({ length: 4 }, () => auditEvent(other, { occurredAt }));
  await Promise.all([recordAudit(env, myEvents), recordAudit(env, theirEvents)]);
  mine.push(...myEvents.map((e) => e.eventId));
  theirs.push(...theirEvents.map((e) => e.eventId));
});

describe("audit log access", () => {
  it.each(["/v1/audit-log", "/v1/audit-log/verify"])("answers %s without a key with 401", async (path) => {
    expectError(await api("GET", path), 401, "UNAUTHENTICATED");
  });

  it.each(["/v1/audit-log", "/v1/audit-log/verify"])("requires audit:read for %s", async (path) => {
    const details = expectError(
      await api("GET", path, { key: tenant.keys.readOnly }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expect(details).toEqual({ requiredScope: "audit:read" });
  });

  it("admits a key holding only audit:read", async () => {
    const auditor = await tenant.addKey({ scopes: ["audit:read"] });
    const res = await listAuditLog(tenant, "", auditor.key);
    expect(res.status, res.text).toBe(200);
  });

  it("lists only the caller's organization", async () => {
    const listed = await listAllAuditEvents(tenant, "limit=2");
    expect(listed.map((e) => e.eventId).sort()).toEqual([...mine].sort());
    expect(listed.every((e) => e.organizationId === tenant.organizationId)).toBe(true);
    const theirListed = await listAllAuditEvents(other, "limit=2");
    expect(theirListed.map((e) => e.eventId).sort()).toEqual([...theirs].sort());
  });

  it("finds nothing when filtering by another organization's project or key", async () => {
    for (const query of [`projectId=${other.projectId}`, `apiKeyId=${other.keyIds.partner}`]) {
      const res = await listAuditLog(tenant, query);
      expect(res.status, res.text).toBe(200);
      expect(res.body.items, `${query}: ${res.text}`).toEqual([]);
    }
  });

  it("counts only the caller's organization's chain", async () => {
    const res = await verifyAuditLog(tenant);
    expect(res.body, res.text).toMatchObject({ valid: true, events: 3 });
    const theirs = await verifyAuditLog(other);
    expect(theirs.body, theirs.text).toMatchObject({ valid: true, events: 4 });
  });
});
