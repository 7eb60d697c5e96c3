/** Audit rows in D1: appended only by the organization's ledger object; read by the audit routes. */
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ChainedAuditEvent } from "../domain/audit-chain";
import { auditEvents } from "./schema";

type AuditRow = typeof auditEvents.$inferSelect;

export function toAuditEvent(row: AuditRow): ChainedAuditEvent {
  return {
    eventId: row.id,
    eventType: row.eventType,
    occurredAt: row.occurredAt,
    requestId: row.requestId,
    organizationId: row.organizationId,
    projectId: row.projectId,
    apiKeyId: row.apiKeyId,
    actorType: row.actorType,
    verdictId: row.verdictId,
    data: JSON.parse(row.data) as Record<string, unknown>,
    seq: row.seq,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export async function chainHead(db: D1Database, organizationId: string) {
  const [row] = await drizzle(db)
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(eq(auditEvents.organizationId, organizationId))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row ?? null;
}

/** D1 binds at most 100 parameters per statement. */
const MAX_BOUND_PARAMETERS = 100;

export async function existingAuditIds(db: D1Database, ids: string[]): Promise<Set<string>> {
  const existing = new Set<string>();
  for (let i = 0; i < ids.length; i += MAX_BOUND_PARAMETERS) {
    const rows = await drizzle(db)
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(inArray(auditEvents.id, ids.slice(i, i + MAX_BOUND_PARAMETERS)));
    for (const row of rows) existing.add(row.id);
  }
  return existing;
}

const INSERT_EVENT =
  "INSERT INTO audit_events (id, organization_id, seq, event_type, occurred_at, request_id, project_id, " +
  "api_key_id, actor_type, verdict_id, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) " +
  // A redelivery of rows that landed (their acknowledgement lost) is a no-op.
  "ON CONFLICT DO NOTHING";

/** Many chained events in one D1 batch: one prepared statement, bound once per event. */
export async function insertChainedEvents(db: D1Database, events: ChainedAuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const insert = db.prepare(INSERT_EVENT);
  await db.batch(
    events.map((e) =>
      insert.bind(
        e.eventId,
        e.organizationId,
        e.seq,
        e.eventType,
        e.occurredAt,
        e.requestId ?? null,
        e.projectId ?? null,
        e.apiKeyId ?? null,
        e.actorType ?? null,
        e.verdictId ?? null,
        JSON.stringify(e.data),
        e.prevHash,
        e.hash,
      ),
    ),
  );
}

export interface AuditQuery {
  organizationId: string;
  eventType?: string;
  projectId?: string;
  apiKeyId?: string;
  since?: string;
  until?: string;
  after?: { occurredAt: string; eventId: string };
  limit: number;
}

/** Newest first, keyset on (occurredAt DESC, eventId ASC). */
export async function listAuditEvents(db: D1Database, q: AuditQuery) {
  const conditions: SQL[] = [eq(auditEvents.organizationId, q.organizationId)];
  if (q.eventType) conditions.push(eq(auditEvents.eventType, q.eventType));
  if (q.projectId) conditions.push(eq(auditEvents.projectId, q.projectId));
  if (q.apiKeyId) conditions.push(eq(auditEvents.apiKeyId, q.apiKeyId));
  if (q.since) conditions.push(gte(auditEvents.occurredAt, q.since));
  if (q.until) conditions.push(lte(auditEvents.occurredAt, q.until));
  if (q.after) {
    const keyset = or(
      lt(auditEvents.occurredAt, q.after.occurredAt),
      and(eq(auditEvents.occurredAt, q.after.occurredAt), gt(auditEvents.id, q.after.eventId)),
    );
    if (keyset) conditions.push(keyset);
  }
  const rows = await drizzle(db)
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(desc(auditEvents.occurredAt), asc(auditEvents.id))
    .limit(q.limit + 1);
  return { events: rows.slice(0, q.limit).map(toAuditEvent), hasMore: rows.length > q.limit };
}

/** The whole chain of one organization in order, a page at a time. */
export async function chainPage(db: D1Database, organizationId: string, afterSeq: number, pageSize: number) {
  const rows = await drizzle(db)
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.organizationId, organizationId), gt(auditEvents.seq, afterSeq)))
    .orderBy(asc(auditEvents.seq))
    .limit(pageSize);
  return rows.map(toAuditEvent);
}
