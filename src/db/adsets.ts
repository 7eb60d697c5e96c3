/** Reads of the D1 copies of ad sets (written by the campaign objects through their outbox). */
import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adsets } from "./schema";

export type AdsetRow = typeof adsets.$inferSelect;

export interface AdsetQuery {
  projectId: string;
  campaignId?: string;
  platforms?: string[];
  adAccountId?: string;
  statuses?: string[];
  /** Keyset: rows strictly after this (createdAt DESC, id DESC). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function listAdsets(db: D1Database, q: AdsetQuery) {
  const conditions: (SQL | undefined)[] = [eq(adsets.projectId, q.projectId)];
  if (q.campaignId) conditions.push(eq(adsets.campaignId, q.campaignId));
  if (q.platforms?.length) conditions.push(inArray(adsets.platform, q.platforms));
  if (q.adAccountId) conditions.push(eq(adsets.adAccountId, q.adAccountId));
  if (q.statuses?.length) conditions.push(inArray(adsets.status, q.statuses));
  if (q.after) {
    const { createdAt, id } = q.after;
    conditions.push(
      or(lt(adsets.createdAt, createdAt), and(eq(adsets.createdAt, createdAt), lt(adsets.id, id))),
    );
  }
  const rows = await drizzle(db)
    .select()
    .from(adsets)
    .where(and(...conditions))
    .orderBy(desc(adsets.createdAt), desc(adsets.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}

/** Which campaign an ad set belongs to, within the project and platform. */
export async function findAdsetCampaign(
  db: D1Database,
  projectId: string,
  platform: string,
  adsetId: string,
) {
  const [row] = await drizzle(db)
    .select({ campaignId: adsets.campaignId })
    .from(adsets)
    .where(and(eq(adsets.id, adsetId), eq(adsets.projectId, projectId), eq(adsets.platform, platform)))
    .limit(1);
  return row?.campaignId ?? null;
}
