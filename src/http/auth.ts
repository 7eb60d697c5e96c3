/**
 * Bearer authentication (SPEC §2): parse the key (the scheme is case-insensitive, RFC 9110),
 * look its row up by id, compare the secret's SHA-256 in constant time, with the previous
 * secret valid through a rotation's grace period. Rows are cached briefly per isolate; kill
 * and revocation are not (the key's guard object answers them on every request, guard.ts).
 *
 * A failure does the same work whether the key id exists or not: hash, one fresh lookup
 * (a cached row may predate a rotation), one call to the guard object of the presented id,
 * which rate-limits failures and aggregates them into one audit event per key per minute.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { type ApiKeyRow, findApiKey } from "../db/tenancy";
import { type ParsedKey, parseApiKey, timingSafeEqualHex } from "../domain/api-keys";
import { sha256Hex } from "../domain/audit-chain";
import type { ActorType } from "../domain/authority";
import type { EndpointClass, RateLimitTier } from "../domain/rate-limits";
import { keyGuard } from "../objects/key-guard";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";
import { rateLimited, setRateLimitHeaders } from "./guard";
import { endpointClassOf } from "./route";

const CACHE_TTL_MS = 30_000;
const keyCache = new Map<string, { row: ApiKeyRow | null; fetchedAt: number }>();
/** Compared against when the key id is unknown, so that path hashes and compares too. */
const NO_HASH = "0".repeat(64);
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

type Failure = "unknown_key" | "secret_mismatch" | "env_mismatch" | "revoked" | "expired";

const MESSAGES: Record<Failure, string> = {
  unknown_key: "Invalid API key.",
  secret_mismatch: "Invalid API key.",
  env_mismatch: "Invalid API key.",
  revoked: "This API key has been revoked.",
  expired: "This API key has expired.",
};

async function loadKey(db: D1Database, keyId: string, fresh = false) {
  const cached = keyCache.get(keyId);
  if (!fresh && cached && Date.now() - cached.fetchedAt < CACHE_TTL_MS) return cached;
  const fetchedAt = Date.now();
  const row = await findApiKey(db, keyId);
  if (keyCache.size > 10_000) keyCache.clear();
  const entry = { row, fetchedAt };
  keyCache.set(keyId, entry);
  return entry;
}

/** Forget a cached key row (after a change), so this isolate sees it at once. */
export function forgetCachedKey(keyId: string): void {
  keyCache.delete(keyId);
}

function check(row: ApiKeyRow | null, parsed: ParsedKey, secretHash: string, now: number): Failure | null {
  const current = timingSafeEqualHex(secretHash, row?.secretHash ?? NO_HASH);
  const previous =
    timingSafeEqualHex(secretHash, row?.previousSecretHash ?? NO_HASH) &&
    row?.previousSecretExpiresAt != null &&
    Date.parse(row.previousSecretExpiresAt) > now;
  if (!row) return "unknown_key";
  if (!current && !previous) return "secret_mismatch";
  if (row.env !== parsed.env) return "env_mismatch";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && Date.parse(row.expiresAt) <= now) return "expired";
  return null;
}

/**
 * After a rotation (which the key's guard object reports), a row cached before it may still
 * list a secret that is no longer valid: read it again and judge the credential anew.
 */
export async function recheckCredential(c: Context<AppEnv>): Promise<void> {
  const credential = c.get("credential");
  if (!credential) return;
  const { row } = await loadKey(c.env.DB, credential.keyId, true);
  const parsed = { env: credential.env as ParsedKey["env"], keyId: credential.keyId, secret: "" };
  const failure = check(row, parsed, credential.secretHash, Date.now());
  if (failure) throw new ApiError("UNAUTHENTICATED", MESSAGES[failure]);
}

/** The endpoint class of the route this request matched, if it matched one. */
function routeClass(c: Context<AppEnv>): EndpointClass | undefined {
  for (const route of [...matchedRoutes(c)].reverse()) {
    if (route.method === "ALL") continue;
    const found = endpointClassOf(route.method, route.path);
    if (found) return found;
  }
  return undefined;
}

/** Counts the failure under the presented key id (or the client's address) and sets the limit headers. */
async function countFailure(c: Context<AppEnv>, bucket: string, endpointClass: EndpointClass | undefined) {
  if (!endpointClass) return;
  const decision = await keyGuard(c.env, bucket).authFailed(endpointClass);
  setRateLimitHeaders(c, decision, endpointClass);
  if (!decision.allowed) throw rateLimited(decision, endpointClass);
}

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const endpointClass = routeClass(c);
  const header = c.req.header("Authorization");
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  const parsed = token ? parseApiKey(token) : null;
  const secretHash = await sha256Hex(parsed?.secret ?? token ?? "");
  if (!parsed) {
    await countFailure(c, `anonymous:${c.req.header("CF-Connecting-IP") ?? "unknown"}`, endpointClass);
    throw new ApiError(
      "UNAUTHENTICATED",
      header === undefined
        ? "Missing Authorization header. Send `Authorization: Bearer <api key>`."
        : "Malformed API key.",
    );
  }
  const now = Date.now();
  let loaded = await loadKey(c.env.DB, parsed.keyId);
  let row = loaded.row;
  let failure = check(row, parsed, secretHash, now);
  if (failure) {
    await countFailure(c, parsed.keyId, endpointClass);
    if (failure === "unknown_key" || failure === "secret_mismatch") {
      loaded = await loadKey(c.env.DB, parsed.keyId, true);
      row = loaded.row;
      failure = check(row, parsed, secretHash, now);
    }
  }
  if (failure || !row) {
    if (row) {
      const note = keyGuard(c.env, row.id)
        .noteAuthFailure({
          organizationId: row.organizationId,
          apiKeyId: row.id,
          actorType: row.actorType,
          reason: failure ?? "unknown_key",
        })
        .catch((error) =>
          console.error(JSON.stringify({ level: "error", msg: "auth failure note", error: String(error) })),
        );
      c.executionCtx.waitUntil(note);
    }
    throw new ApiError("UNAUTHENTICATED", MESSAGES[failure ?? "unknown_key"]);
  }
  c.set("credential", { keyId: row.id, env: parsed.env, secretHash, rowFetchedAt: loaded.fetchedAt });
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
