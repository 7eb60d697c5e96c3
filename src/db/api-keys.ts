/**
 * Owns the D1 rows of API keys: the lookup authentication uses, the customer's listing, and
 * the projections the key's guard object writes (it is the single writer of every change).
 */
import { and, desc, eq, lt, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiKeys } from "./schema";

export type ApiKeyRecord = typeof apiKeys.$inferSelect;

/** A change the guard object projects onto a key's row; `insert` creates it. */
export type KeyProjection =
  | { kind: "insert"; row: ApiKeyRecord }
  | {
      kind: "update";
      keyId: string;
      fields: Partial<
        Pick<
          ApiKeyRecord,
          | "killedAt"
          | "revokedAt"
          | "secretHash"
          | "secretLastFour"
          | "previousSecretHash"
          | "previousSecretExpiresAt"
        >
      >;
    };

export async function applyKeyProjection(db: D1Database, projection: KeyProjection): Promise<void> {
  const orm = drizzle(db);
  if (projection.kind === "insert") {
    // Redelivery after a lost acknowledgement finds the row already there.
    await orm.insert(apiKeys).values(projection.row).onConflictDoNothing({ target: apiKeys.id });
    return;
  }
  await orm.update(apiKeys).set(projection.fields).where(eq(apiKeys.id, projection.keyId));
}

export async function touchKeyLastUsed(db: D1Database, keyId: string, at: string): Promise<void> {
  await drizzle(db).update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, keyId));
}

export async function findKeyInOrganization(
  db: D1Database,
  organizationId: string,
  keyId: string,
): Promise<ApiKeyRecord | null> {
  const [row] = await drizzle(db)
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.organizationId, organizationId)))
    .limit(1);
  return row ?? null;
}

/** Newest first, keyset on (createdAt DESC, id DESC). */
export async function listKeys(
  db: D1Database,
  organizationId: string,
  page: { after?: { createdAt: string; id: string }; limit: number },
) {
  const conditions = [eq(apiKeys.organizationId, organizationId)];
  if (page.after) {
    const keyset = or(
      lt(apiKeys.createdAt, page.after.createdAt),
      and(eq(apiKeys.createdAt, page.after.createdAt), lt(apiKeys.id, page.after.id)),
    );
    if (keyset) conditions.push(keyset);
  }
  const rows = await drizzle(db)
    .select()
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(page.limit + 1);
  return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}
