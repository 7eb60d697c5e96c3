/** Reads of the D1 copies of campaigns, jobs and pending actions (written by the campaign objects). */
import { and, count, desc, eq, gt, gte, inArray, lt, lte, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { campaigns, jobs, pendingActions } from "./schema";

export type CampaignRow = typeof campaigns.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type PendingRow = typeof pendingActions.$inferSelect;

export interface CampaignQuery {
  projectId: string;
  platforms?: string[];
  adAccountId?: string;
  statuses?: string[];
  since?: string;
  /** Keyset: rows strictly after this (createdAt DESC, id DESC). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function listCampaigns(db: D1Database, q: CampaignQuery) {
  const conditions: (SQL | undefined)[] = [eq(campaigns.projectId, q.projectId)];
  if (q.platforms?.length) conditions.push(inArray(campaigns.platform, q.platforms));
  if (q.adAccountId) conditions.push(eq(campaigns.adAccountId, q.adAccountId));
  if (q.statuses?.length) conditions.push(inArray(campaigns.status, q.statuses));
  if (q.since) conditions.push(gte(campaigns.createdAt, q.since));
  if (q.after) conditions.push(afterKey(campaigns, q.after));
  const rows = await drizzle(db)
    .select()
    .from(campaigns)
    .where(and(...conditions))
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}

/** Keyset condition for newest-first pages: rows strictly after (createdAt, id), both descending. */
function afterKey(table: typeof campaigns | typeof pendingActions, after: { createdAt: string; id: string }) {
  return or(
    lt(table.createdAt, after.createdAt),
    and(eq(table.createdAt, after.createdAt), lt(table.id, after.id)),
  );
}

export async function findJob(db: D1Database, organizationId: string, jobId: string) {
  const [row] = await drizzle(db)
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, jobId), eq(jobs.organizationId, organizationId)))
    .limit(1);
  return row ?? null;
}

export async function findPendingAction(
  db: D1Database,
  projectId: string,
  platform: string,
  pendingId: string,
) {
  const [row] = await drizzle(db)
    .select()
    .from(pendingActions)
    .where(
      and(
        eq(pendingActions.id, pendingId),
        eq(pendingActions.projectId, projectId),
        eq(pendingActions.platform, platform),
      ),
    )
    .limit(1);
  return row ?? null;
}

export interface PendingQuery {
  projectId: string;
  platform: string;
  status: string;
  actionType?: string;
  now: string;
  /** Keyset: rows strictly after this (createdAt DESC, id DESC). */
  after?: { createdAt: string; id: string };
  limit: number;
}

/**
 * Pending actions, newest first. A `pending` item past its expiry reads as expired even before
 * its campaign object has recorded the expiry.
 */
function pendingConditions(q: Omit<PendingQuery, "limit" | "after">): (SQL | undefined)[] {
  const conditions: (SQL | undefined)[] = [
    eq(pendingActions.projectId, q.projectId),
    eq(pendingActions.platform, q.platform),
  ];
  if (q.actionType) conditions.push(eq(pendingActions.actionType, q.actionType));
  if (q.status === "pending") {
    conditions.push(eq(pendingActions.status, "pending"), gt(pendingActions.expiresAt, q.now));
  } else if (q.status === "expired") {
    conditions.push(
      or(
        eq(pendingActions.status, "expired"),
        and(eq(pendingActions.status, "pending"), lte(pendingActions.expiresAt, q.now)),
      ),
    );
  } else {
    conditions.push(eq(pendingActions.status, q.status));
  }
  return conditions;
}

export async function listPendingActions(db: D1Database, q: PendingQuery) {
  const conditions = pendingConditions(q);
  if (q.after) conditions.push(afterKey(pendingActions, q.after));
  const rows = await drizzle(db)
    .select()
    .from(pendingActions)
    .where(and(...conditions))
    .orderBy(desc(pendingActions.createdAt), desc(pendingActions.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}

export async function countPendingActions(db: D1Database, q: Omit<PendingQuery, "limit" | "after">) {
  const [row] = await drizzle(db)
    .select({ n: count() })
    .from(pendingActions)
    .where(and(...pendingConditions(q)));
  return row?.n ?? 0;
}

/** Pending actions whose expiry has passed but whose campaign object has not recorded it. */
export async function overduePendingActions(db: D1Database, now: string, limit: number) {
  return drizzle(db)
    .select({ id: pendingActions.id, campaignId: pendingActions.campaignId })
    .from(pendingActions)
    .where(and(eq(pendingActions.status, "pending"), lte(pendingActions.expiresAt, now)))
    .limit(limit);
}
