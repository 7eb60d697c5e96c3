/** Audit test fixtures: events written through the real ledger, and reads of the stored chain. */
import { env } from "cloudflare:workers";
import { newId } from "../../src/domain/ids";
import type { AuditEventInput } from "../../src/objects/audit-ledger";
import { api } from "../helpers/http";
import type { TestTenant } from "../helpers/tenant";

export interface ListedAuditEvent {
  eventId: string;
  eventType: string;
  occurredAt: string;
  requestId: string | null;
  organizationId: string;
  projectId: string | null;
  apiKeyId: string | null;
  actorType: string | null;
  verdictId?: string;
  data: Record<string, unknown>;
}

// Type aliases (not interfaces) so responses still fit expectError's ApiResponse.
export type AuditLogPage = {
  items: ListedAuditEvent[];
  nextCursor: string | null;
};

export type ChainVerification = {
  valid: boolean;
  events: number;
  headHash: string;
  firstBrokenEventId?: string;
};

/** A complete event (id and time fixed up front, as an outbox would hold it) for this tenant. */
export function auditEvent(
  tenant: TestTenant,
  overrides: Partial<AuditEventInput> = {},
): AuditEventInput & { eventId: string; occurredAt: string } {
  return {
    eventId: newId("event"),
    occurredAt: new Date().toISOString(),
    eventType: "test.event",
    requestId: newId("request"),
    organizationId: tenant.organizationId,
    projectId: tenant.projectId,
    apiKeyId: tenant.keyIds.partner,
    actorType: "partner",
    verdictId: null,
    data: {},
    ...overrides,
  };
}

export async function listAuditLog(tenant: TestTenant, query = "", key = tenant.keys.customer) {
  return api<AuditLogPage>("GET", `/v1/audit-log${query ? `?${query}` : ""}`, { key });
}

export async function verifyAuditLog(tenant: TestTenant, key = tenant.keys.customer) {
  return api<ChainVerification>("GET", "/v1/audit-log/verify", { key });
}

/** Follows `nextCursor` to the end; fails the test on any non-200 page. */
export async function listAllAuditEvents(tenant: TestTenant, query: string): Promise<ListedAuditEvent[]> {
  const events: ListedAuditEvent[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const res = await listAuditLog(
      tenant,
      `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (res.status !== 200) throw new Error(`page ${page}: ${res.status} ${res.text}`);
    events.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return events;
  }
  throw new Error("the audit log never ended");
}

export interface StoredChainRow {
  id: string;
  seq: number;
  prev_hash: string;
  hash: string;
}

/** The organization's stored chain, straight from D1, in seq order. */
export async function storedChain(organizationId: string): Promise<StoredChainRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, seq, prev_hash, hash FROM audit_events WHERE organization_id = ? ORDER BY seq",
  )
    .bind(organizationId)
    .all<StoredChainRow>();
  return results;
}
