/** Idempotency records: claimed before a mutating request runs, completed with its response. */
import { and, eq, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { idempotencyRecords } from "./schema";

export type IdempotencyRecord = typeof idempotencyRecords.$inferSelect;
export interface IdempotencyScope {
  apiKeyId: string;
  method: string;
  path: string;
  idempotencyKey: string;
}

const RETENTION_MS = 24 * 60 * 60 * 1000;

const whereScope = (s: IdempotencyScope) =>
  and(
    eq(idempotencyRecords.apiKeyId, s.apiKeyId),
    eq(idempotencyRecords.method, s.method),
    eq(idempotencyRecords.path, s.path),
    eq(idempotencyRecords.idempotencyKey, s.idempotencyKey),
  );

/**
 * Claims the key for this request. Returns null when claimed, or the record that holds it.
 * An expired record is released and the claim retried.
 */
export async function claimIdempotencyKey(
  db: D1Database,
  scope: IdempotencyScope,
  requestHash: string,
  now = Date.now(),
): Promise<IdempotencyRecord | null> {
  const orm = drizzle(db);
  for (let attempt = 0; attempt < 2; attempt++) {
    const inserted = await orm
      .insert(idempotencyRecords)
      .values({
        ...scope,
        requestHash,
        state: "processing",
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + RETENTION_MS).toISOString(),
      })
      .onConflictDoNothing()
      .returning({ key: idempotencyRecords.idempotencyKey });
    if (inserted.length === 1) return null;
    const [existing] = await orm.select().from(idempotencyRecords).where(whereScope(scope)).limit(1);
    if (!existing) continue;
    if (Date.parse(existing.expiresAt) > now) return existing;
    await orm
      .delete(idempotencyRecords)
      .where(and(whereScope(scope), eq(idempotencyRecords.expiresAt, existing.expiresAt)));
  }
  throw new Error("idempotency key could not be claimed");
}

export async function completeIdempotencyKey(
  db: D1Database,
  scope: IdempotencyScope,
  response: { status: number; headers: Record<string, string>; body: string },
): Promise<void> {
  await drizzle(db)
    .update(idempotencyRecords)
    .set({
      state: "complete",
      responseStatus: response.status,
      responseHeaders: response.headers,
      responseBody: response.body,
    })
    .where(whereScope(scope));
}

export async function releaseIdempotencyKey(db: D1Database, scope: IdempotencyScope): Promise<void> {
  await drizzle(db).delete(idempotencyRecords).where(whereScope(scope));
}

export async function deleteExpiredIdempotencyRecords(db: D1Database, now = Date.now()): Promise<number> {
  const result = await drizzle(db)
    .delete(idempotencyRecords)
    .where(lt(idempotencyRecords.expiresAt, new Date(now).toISOString()));
  return result.meta.changes;
}
