/** The creative library's D1 rows: insert once, read by id, list newest first. */
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { creatives } from "./schema";

export type CreativeRow = typeof creatives.$inferSelect;
export type NewCreativeRow = typeof creatives.$inferInsert;

export async function insertCreative(db: D1Database, row: NewCreativeRow): Promise<void> {
  await drizzle(db).insert(creatives).values(row);
}

export async function findCreative(db: D1Database, projectId: string, creativeId: string) {
  const [row] = await drizzle(db)
    .select()
    .from(creatives)
    .where(and(eq(creatives.projectId, projectId), eq(creatives.id, creativeId)))
    .limit(1);
  return row ?? null;
}

export interface CreativeQuery {
  projectId: string;
  format?: string;
  /** Keyset: rows strictly after this (createdAt DESC, id DESC). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function listCreatives(db: D1Database, q: CreativeQuery) {
  const conditions: (SQL | undefined)[] = [eq(creatives.projectId, q.projectId)];
  if (q.format) conditions.push(eq(creatives.format, q.format));
  if (q.after) {
    conditions.push(
      or(
        lt(creatives.createdAt, q.after.createdAt),
        and(eq(creatives.createdAt, q.after.createdAt), lt(creatives.id, q.after.id)),
      ),
    );
  }
  const rows = await drizzle(db)
    .select()
    .from(creatives)
    .where(and(...conditions))
    .orderBy(desc(creatives.createdAt), desc(creatives.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}
