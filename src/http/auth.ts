/**
 * Bearer authentication (SPEC §2): parse the key, look its row up by id, compare the
 * secret's SHA-256 in constant time. Rows are cached briefly per isolate; the kill flag is
 * not (the key's guard object answers it on every request, see guard.ts).
 */
import { createMiddleware } from "hono/factory";
import { type ApiKeyRow, findApiKey } from "../db/tenancy";
import { parseApiKey, timingSafeEqualHex } from "../domain/api-keys";
import { sha256Hex } from "../domain/audit-chain";
import type { ActorType } from "../domain/authority";
import type { RateLimitTier } from "../domain/rate-limits";
import { recordAudit } from "../objects/audit-ledger";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

const CACHE_TTL_MS = 30_000;
const keyCache = new Map<string, { row: ApiKeyRow | null; fetchedAt: number }>();

const unauthenticated = (message: string) => new ApiError("UNAUTHENTICATED", message);

async function loadKey(db: D1Database, keyId: string): Promise<ApiKeyRow | null> {
  const cached = keyCache.get(keyId);
  if (cached && Date.now() - cached.fetchedAt < CACHE_TTL_MS) return cached.row;
  const row = await findApiKey(db, keyId);
  if (keyCache.size > 10_000) keyCache.clear();
  keyCache.set(keyId, { row, fetchedAt: Date.now() });
  return row;
}

/** Forget a cached key row (after a kill), so this isolate sees the change at once. */
export function forgetCachedKey(keyId: string): void {
  keyCache.delete(keyId);
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("Authorization");
  if (!header) throw unauthenticated("Missing Authorization header. Send `Authorization: Bearer <api key>`.");
  const match = /^Bearer ([^\s]+)$/.exec(header);
  const parsed = match?.[1] ? parseApiKey(match[1]) : null;
  if (!parsed) throw unauthenticated("Malformed API key.");
  const row = await loadKey(c.env.DB, parsed.keyId);
  if (!row) throw unauthenticated("Unknown API key.");
  const secretHash = await sha256Hex(parsed.secret);
  const failure = !timingSafeEqualHex(secretHash, row.secretHash)
    ? "secret_mismatch"
    : row.env !== parsed.env
      ? "env_mismatch"
      : row.revokedAt
        ? "revoked"
        : null;
  if (failure) {
    c.executionCtx.waitUntil(
      recordAudit(c.env, [
        {
          eventType: "auth.failed",
          requestId: c.get("requestId"),
          organizationId: row.organizationId,
          projectId: null,
          apiKeyId: row.id,
          actorType: row.actorType,
          verdictId: null,
          data: { reason: failure, method: c.req.method, path: c.req.path },
        },
      ]).catch((error) =>
        console.error(JSON.stringify({ level: "error", msg: "audit of auth failure", error: String(error) })),
      ),
    );
    throw unauthenticated(failure === "revoked" ? "This API key has been revoked." : "Invalid API key.");
  }
  c.set("caller", {
    apiKeyId: row.id,
    organizationId: row.organizationId,
    organizationName: row.organizationName,
    actorType: row.actorType as ActorType,
    scopes: row.scopes,
    rateLimitTier: row.rateLimitTier as RateLimitTier,
    env: row.env as "live" | "test",
  });
  await next();
});
