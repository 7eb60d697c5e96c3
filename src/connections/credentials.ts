/**
 * Owns the `ad_account_credentials` rows: sealing credentials into them, opening them for the
 * code that calls a platform, destroying them, and re-wrapping them after a key rotation.
 * Nothing here returns a credential to an HTTP handler.
 */
import { eq, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adAccountCredentials } from "../db/schema";
import type { Env } from "../env";
import type { PlatformCredential } from "../platforms/types";
import { keyringFrom, open, rewrap, type SealedSecret, seal } from "./vault";

const context = (adAccountId: string) => `ad_account_credentials:${adAccountId}`;

export async function storeCredential(
  env: Env,
  adAccountId: string,
  credential: PlatformCredential,
): Promise<void> {
  const ring = await keyringFrom(env);
  const sealed = await seal(ring, JSON.stringify(credential), context(adAccountId));
  const now = new Date().toISOString();
  const row = {
    adAccountId,
    kind: credential.kind,
    sealed: JSON.stringify(sealed),
    keyId: sealed.kid,
    createdAt: now,
    updatedAt: now,
  };
  await drizzle(env.DB)
    .insert(adAccountCredentials)
    .values(row)
    .onConflictDoUpdate({
      target: adAccountCredentials.adAccountId,
      set: { kind: row.kind, sealed: row.sealed, keyId: row.keyId, updatedAt: now },
    });
}

/** Opens an account's credentials; null when none are stored (sandbox seeds, disconnected). */
export async function openCredential(env: Env, adAccountId: string): Promise<PlatformCredential | null> {
  const [row] = await drizzle(env.DB)
    .select()
    .from(adAccountCredentials)
    .where(eq(adAccountCredentials.adAccountId, adAccountId))
    .limit(1);
  if (!row) return null;
  const ring = await keyringFrom(env);
  return JSON.parse(
    await open(ring, JSON.parse(row.sealed) as SealedSecret, context(adAccountId)),
  ) as PlatformCredential;
}

export async function destroyCredential(env: Env, adAccountId: string): Promise<void> {
  await drizzle(env.DB).delete(adAccountCredentials).where(eq(adAccountCredentials.adAccountId, adAccountId));
}

/** After CREDENTIALS_KEY rotated: re-wraps every data key still under another key. */
export async function rewrapCredentials(env: Env, limit = 500): Promise<number> {
  const ring = await keyringFrom(env);
  const orm = drizzle(env.DB);
  const rows = await orm
    .select()
    .from(adAccountCredentials)
    .where(ne(adAccountCredentials.keyId, ring.current.id))
    .limit(limit);
  for (const row of rows) {
    const next = await rewrap(ring, JSON.parse(row.sealed) as SealedSecret, context(row.adAccountId));
    await orm
      .update(adAccountCredentials)
      .set({ sealed: JSON.stringify(next), keyId: next.kid, updatedAt: new Date().toISOString() })
      .where(eq(adAccountCredentials.adAccountId, row.adAccountId));
  }
  return rows.length;
}
