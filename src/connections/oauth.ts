/**
 * Owns the OAuth connect flow for Meta and TikTok: minting a short-lived, single-use state
 * bound to project, platform and key; checking `returnUrl` against the key's allowlist; and
 * completing the callback — consume the state, exchange the code, list the granted ad
 * accounts, store each with its sealed token, then start their import. Test keys go through
 * the Worker's own sandbox consent page and the simulator, with no network.
 */
import { Buffer } from "node:buffer";
import { and, eq, isNull, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { apiKeys, oauthStates } from "../db/schema";
import { sha256Hex } from "../domain/audit-chain";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import type { Caller } from "../http/context";
import { connectorFor } from "../platforms/connect";
import { PlatformFailure } from "../platforms/http";
import { platformConfigFromEnv } from "../platforms/index";
import { accountEvent, setAccountStatus, upsertConnectedAccount } from "./accounts";
import { storeCredential } from "./credentials";
import { startAccountSync } from "./sync-job";

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;
export type OAuthPlatform = Extract<Platform, "meta" | "tiktok">;

/** Where the platform sends the customer back; the same value must go into the code exchange. */
export function callbackUrl(origin: string, platform: OAuthPlatform): string {
  return `${origin}/v1/oauth/${platform}/callback`;
}

export function publicOrigin(env: Env, requestUrl: string): string {
  return (env.PUBLIC_BASE_URL || new URL(requestUrl).origin).replace(/\/+$/, "");
}

/**
 * Whether `returnUrl` may receive the customer after consent: it must start with an entry of
 * the key's `returnUrlAllowlist` (same origin, path under the entry's path); test keys may
 * also return to any http://localhost or http://127.0.0.1 port.
 */
export function returnUrlAllowed(
  returnUrl: string,
  allowlist: readonly string[],
  env: "live" | "test",
): boolean {
  let target: URL;
  try {
    target = new URL(returnUrl);
  } catch {
    return false;
  }
  if (target.protocol !== "https:" && target.protocol !== "http:") return false;
  if (target.username || target.password) return false;
  if (env === "test" && target.protocol === "http:" && ["localhost", "127.0.0.1"].includes(target.hostname)) {
    return true;
  }
  return allowlist.some((entry) => {
    try {
      const allowed = new URL(entry);
      const base = allowed.pathname.endsWith("/") ? allowed.pathname : `${allowed.pathname}/`;
      return (
        allowed.origin === target.origin &&
        (target.pathname === allowed.pathname || target.pathname.startsWith(base) || allowed.pathname === "/")
      );
    } catch {
      return false;
    }
  });
}

export async function keyReturnUrlAllowlist(db: D1Database, apiKeyId: string): Promise<string[]> {
  const [row] = await drizzle(db)
    .select({ allowlist: apiKeys.returnUrlAllowlist })
    .from(apiKeys)
    .where(eq(apiKeys.id, apiKeyId))
    .limit(1);
  return Array.isArray(row?.allowlist) ? row.allowlist.filter((e): e is string => typeof e === "string") : [];
}

/** Mints the consent URL: the platform's dialog for live keys, the Worker's sandbox page for test keys. */
export async function startConsent(
  env: Env,
  caller: Caller,
  input: {
    projectId: string;
    platform: OAuthPlatform;
    returnUrl: string;
    clientState: string | null;
    origin: string;
  },
): Promise<{ url: string; expiresAt: string }> {
  const state = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const now = Date.now();
  const expiresAt = new Date(now + OAUTH_STATE_TTL_MS).toISOString();
  await drizzle(env.DB)
    .insert(oauthStates)
    .values({
      stateHash: await sha256Hex(state),
      organizationId: caller.organizationId,
      projectId: input.projectId,
      platform: input.platform,
      apiKeyId: caller.apiKeyId,
      env: caller.env,
      returnUrl: input.returnUrl,
      clientState: input.clientState,
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
  const redirectUri = callbackUrl(input.origin, input.platform);
  if (caller.env === "test") {
    const page = new URL(`${input.origin}/v1/oauth/${input.platform}/sandbox/consent`);
    page.searchParams.set("state", state);
    return { url: page.toString(), expiresAt };
  }
  const connector = connectorFor(input.platform, platformConfigFromEnv({ ...env }), false);
  if (!connector.authorizeUrl) throw new Error(`${input.platform} has no consent page`);
  return { url: connector.authorizeUrl({ state, redirectUri }), expiresAt };
}

export type StateRow = typeof oauthStates.$inferSelect;

/** The consent is bound to the key that asked for it: a key killed or revoked meanwhile connects nothing. */
async function keyStillUsable(db: D1Database, apiKeyId: string): Promise<boolean> {
  const [key] = await drizzle(db)
    .select({ killedAt: apiKeys.killedAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, apiKeyId))
    .limit(1);
  return key !== undefined && key.killedAt === null && key.revokedAt === null;
}

/** Forgets consents that can no longer complete (the daily cron). */
export async function pruneOAuthStates(db: D1Database, now = new Date()): Promise<void> {
  await drizzle(db)
    .delete(oauthStates)
    .where(lt(oauthStates.expiresAt, new Date(now.getTime() - OAUTH_STATE_TTL_MS).toISOString()));
}

/** The state a sandbox consent page or a callback names, if it exists at all (used or not). */
export async function findState(db: D1Database, state: string): Promise<StateRow | null> {
  if (!state || state.length > 256) return null;
  const [row] = await drizzle(db)
    .select()
    .from(oauthStates)
    .where(eq(oauthStates.stateHash, await sha256Hex(state)))
    .limit(1);
  return row ?? null;
}

export interface CallbackQuery {
  state: string;
  code: string | null;
  error: string | null;
}

/**
 * Completes a consent. Answers the URL to send the customer to (the state's returnUrl with
 * `status=connected` or `status=error&code=…`), or null when the state is unknown (forged):
 * then there is nowhere safe to send them.
 */
export async function completeConsent(
  env: Env,
  platform: OAuthPlatform,
  query: CallbackQuery,
  origin: string,
): Promise<string | null> {
  const row = await findState(env.DB, query.state);
  if (!row) return null;
  const back = (params: Record<string, string>) => {
    const url = new URL(row.returnUrl);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    if (row.clientState !== null) url.searchParams.set("state", row.clientState);
    return url.toString();
  };
  const fail = (code: string) => back({ status: "error", code });
  // Single use: only the first callback naming this state gets past this line.
  const claimed = await drizzle(env.DB)
    .update(oauthStates)
    .set({ usedAt: new Date().toISOString() })
    .where(and(eq(oauthStates.stateHash, row.stateHash), isNull(oauthStates.usedAt)));
  if (claimed.meta.changes !== 1) return fail("state_used");
  if (Date.parse(row.expiresAt) <= Date.now()) return fail("state_expired");
  if (row.platform !== platform) return fail("state_mismatch");
  if (!(await keyStillUsable(env.DB, row.apiKeyId))) return fail("key_revoked");
  if (query.error !== null) return fail(query.error === "access_denied" ? "access_denied" : "consent_failed");
  if (!query.code) return fail("missing_code");

  const sandbox = row.env === "test";
  const connector = connectorFor(platform, platformConfigFromEnv({ ...env }), sandbox);
  let accountIds: string[];
  try {
    if (!connector.exchangeCode) return fail("exchange_failed");
    const grant = await connector.exchangeCode(query.code, callbackUrl(origin, platform));
    const credential = {
      kind: "oauth_token",
      accessToken: grant.accessToken,
      expiresAt: grant.expiresAt,
    } as const;
    const granted = await connector.listAccounts(credential, grant);
    if (granted.length === 0) return fail("no_ad_accounts");
    const target = {
      organizationId: row.organizationId,
      projectId: row.projectId,
      platform,
      connection: sandbox ? "sandbox" : "live",
    } as const;
    accountIds = [];
    for (const account of granted) {
      const { id, created } = await upsertConnectedAccount(env, target, account, grant.expiresAt);
      await storeCredential(env, id, credential);
      accountIds.push(id);
      // Connected (or revived): the status and its audit event, committed together.
      await setAccountStatus(env, { id, ...target }, "valid", {
        event: accountEvent(
          { id, ...target },
          "ad_account.connected",
          {
            externalId: account.externalId,
            connection: target.connection,
            reconnected: !created,
          },
          { requestId: null, apiKeyId: row.apiKeyId, actorType: "system" },
        ),
      });
    }
  } catch (error) {
    if (error instanceof PlatformFailure)
      return fail(error.result.kind === "auth" ? "access_denied" : "exchange_failed");
    throw error;
  }
  // Each account's import is a job its own sync object owns (it resumes after a crash).
  const owner = { organizationId: row.organizationId, projectId: row.projectId, platform };
  await Promise.all(accountIds.map((id) => startAccountSync(env, { id, ...owner }, "connect")));
  return back({ status: "connected", accountId: accountIds[0] ?? "", accountIds: accountIds.join(",") });
}
