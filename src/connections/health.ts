/**
 * Owns token health: once a day every connected account's credentials are proven with the
 * platform's cheapest authenticated call; Meta's long-lived tokens are renewed (exchanged
 * again) when they near expiry; an auth error marks the account expired/revoked with an
 * audit event. Apple needs no renewal (access tokens are minted per hour from the API user).
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adAccountCredentials, adAccounts } from "../db/schema";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import { recordAudit } from "../objects/audit-ledger";
import { connectorFor } from "../platforms/connect";
import { PlatformFailure } from "../platforms/http";
import { platformConfigFromEnv } from "../platforms/index";
import { accountEvent, markTokenInvalid, markValidated } from "./accounts";
import { openCredential, rewrapCredentials, storeCredential } from "./credentials";
import { pruneOAuthStates } from "./oauth";

/** Renew a token this long before it expires. */
export const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;
export const TOKEN_HEALTH_CRON = "17 4 * * *";

export interface HealthSummary {
  checked: number;
  renewed: number;
  invalid: number;
  unreachable: number;
}

/** The daily cron: prove (and renew) every token, forget dead consents, finish a key rotation. */
export async function dailyConnectionCare(env: Env, now: Date): Promise<void> {
  await pruneOAuthStates(env.DB, now);
  await rewrapCredentials(env);
  await validateTokens(env, now);
}

export async function validateTokens(env: Env, now = new Date(), limit = 1000): Promise<HealthSummary> {
  const summary: HealthSummary = { checked: 0, renewed: 0, invalid: 0, unreachable: 0 };
  const rows = await drizzle(env.DB)
    .select({ account: adAccounts })
    .from(adAccounts)
    .innerJoin(adAccountCredentials, eq(adAccountCredentials.adAccountId, adAccounts.id))
    .where(and(eq(adAccounts.tokenStatus, "valid"), isNotNull(adAccountCredentials.sealed)))
    .limit(limit);
  const config = platformConfigFromEnv({ ...env });
  for (const { account } of rows) {
    const credential = await openCredential(env, account.id);
    if (!credential) continue;
    summary.checked += 1;
    const connector = connectorFor(account.platform as Platform, config, account.connection !== "live");
    try {
      const expiresAt = account.tokenExpiresAt ? Date.parse(account.tokenExpiresAt) : null;
      if (expiresAt !== null && expiresAt - now.getTime() < RENEW_BEFORE_MS && connector.renew) {
        const grant = await connector.renew(credential);
        if (grant) {
          await storeCredential(env, account.id, {
            kind: "oauth_token",
            accessToken: grant.accessToken,
            expiresAt: grant.expiresAt,
          });
          await markValidated(env, account.id, grant.expiresAt);
          await recordAudit(env, [
            accountEvent(account, "ad_account.token_renewed", { tokenExpiresAt: grant.expiresAt }),
          ]);
          summary.renewed += 1;
          continue;
        }
      }
      await connector.validate(credential, account.externalId);
      await markValidated(env, account.id);
    } catch (error) {
      if (!(error instanceof PlatformFailure)) throw error;
      if (error.result.kind === "auth") {
        summary.invalid += 1;
        await markTokenInvalid(env, account, error.result.tokenStatus ?? "expired", {
          source: "daily_validation",
          message: error.result.message,
          ...(error.result.platformCode ? { platformCode: error.result.platformCode } : {}),
        });
      } else {
        // A platform outage says nothing about the token: try again tomorrow.
        summary.unreachable += 1;
      }
    }
  }
  return summary;
}
