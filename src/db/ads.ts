/** Reads of the D1 copies of ads and their reviews (written by the campaign objects' outboxes). */
import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ads } from "./schema";

export type AdRow = typeof ads.$inferSelect;

export interface AdQuery {
  projectId: string;
  adsetId?: string;
  campaignId?: string;
  platforms?: string[];
  statuses?: string[];
  /** Keyset: rows strictly after this (createdAt DESC, id DESC). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function listAds(db: D1Database, q: AdQuery) {
  const conditions: (SQL | undefined)[] = [eq(ads.projectId, q.projectId)];
  if (q.adsetId) conditions.push(eq(ads.adsetId, q.adsetId));
  if (q.campaignId) conditions.push(eq(ads.campaignId, q.campaignId));
  if (q.platforms?.length) conditions.push(inArray(ads.platform, q.platforms));
  if (q.statuses?.length) conditions.push(inArray(ads.status, q.statuses));
  if (q.after) {
    const { createdAt, id } = q.after;
    conditions.push(or(lt(ads.createdAt, createdAt), and(eq(ads.createdAt, createdAt), lt(ads.id, id))));
  }
  const rows = await drizzle(db)
    .select()
    .from(ads)
    .where(and(...conditions))
    .orderBy(desc(ads.createdAt), desc(ads.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}

export interface ReviewQuery {
  projectId: string;
  platform: string;
  statuses?: string[];
  /** Keyset: rows strictly after this (submittedAt DESC, id DESC). */
  after?: { submittedAt: string; id: string };
  limit: number;
}

/** The reviews of a platform's ads, latest submission first. */
export async function listReviews(db: D1Database, q: ReviewQuery) {
  const conditions: (SQL | undefined)[] = [eq(ads.projectId, q.projectId), eq(ads.platform, q.platform)];
  if (q.statuses?.length) conditions.push(inArray(ads.reviewStatus, q.statuses));
  if (q.after) {
    const { submittedAt, id } = q.after;
    conditions.push(
      or(lt(ads.submittedAt, submittedAt), and(eq(ads.submittedAt, submittedAt), lt(ads.id, id))),
    );
  }
  const rows = await drizzle(db)
    .select()
    .from(ads)
    .where(and(...conditions))
    .orderBy(desc(ads.submittedAt), desc(ads.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}

/** Which campaign (and ad set) an ad belongs to, within the project and platform. */
export async function findAdOwner(db: D1Database, projectId: string, platform: string, adId: string) {
  const [row] = await drizzle(db)
    .select({ campaignId: ads.campaignId, adsetId: ads.adsetId })
    .from(ads)
    .where(and(eq(ads.id, adId), eq(ads.projectId, projectId), eq(ads.platform, platform)))
    .limit(1);
  return row ?? null;
}
