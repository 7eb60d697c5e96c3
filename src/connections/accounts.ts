/** Owns the connection columns of `ad_accounts`: connecting, token status and validation, revocation. */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adAccounts, layers } from "../db/schema";
import type { AdAccountRow } from "../db/tenancy";
import { newId } from "../domain/ids";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import { type AuditEventInput, recordAudit } from "../objects/audit-ledger";
import { adAccountChanged } from "../objects/layer-policy";
import type { PlatformAccount } from "../platforms/connect";

export type TokenStatus = "valid" | "expired" | "revoked";

export interface ConnectTarget {
  organizationId: string;
  projectId: string;
  platform: Platform;
  connection: "sandbox" | "live";
}

/** Inserts the account, or brings an earlier connection of the same platform account back. */
export async function upsertConnectedAccount(
  env: Env,
  target: ConnectTarget,
  account: PlatformAccount,
  tokenExpiresAt: string | null,
): Promise<{ id: string; created: boolean }> {
  const orm = drizzle(env.DB);
  const now = new Date().toISOString();
  const [existing] = await orm
    .select({ id: adAccounts.id })
    .from(adAccounts)
    .where(
      and(
        eq(adAccounts.projectId, target.projectId),
        eq(adAccounts.platform, target.platform),
        eq(adAccounts.externalId, account.externalId),
      ),
    )
    .limit(1);
  const fields = {
    name: account.name,
    currency: account.currency,
    timezone: account.timezone,
    tokenStatus: "valid",
    connection: target.connection,
    tokenLastValidatedAt: now,
    tokenExpiresAt,
    revokedAt: null,
  };
  if (existing) {
    await orm.update(adAccounts).set(fields).where(eq(adAccounts.id, existing.id));
    return { id: existing.id, created: false };
  }
  const id = newId("adAccount");
  await orm.insert(adAccounts).values({
    id,
    organizationId: target.organizationId,
    projectId: target.projectId,
    platform: target.platform,
    externalId: account.externalId,
    settings: account.settings,
    connectedAt: now,
    ...fields,
  });
  return { id, created: true };
}

export async function markValidated(
  env: Env,
  adAccountId: string,
  tokenExpiresAt?: string | null,
): Promise<void> {
  await drizzle(env.DB)
    .update(adAccounts)
    .set({
      tokenLastValidatedAt: new Date().toISOString(),
      ...(tokenExpiresAt === undefined ? {} : { tokenExpiresAt }),
    })
    .where(eq(adAccounts.id, adAccountId));
}

/**
 * The platform said the credentials no longer work: the account stops taking writes (404
 * "platform OAuth not connected") until it is connected again, and the audit trail says why.
 */
export async function markTokenInvalid(
  env: Env,
  account: Pick<AdAccountRow, "id" | "organizationId" | "projectId" | "platform">,
  status: Exclude<TokenStatus, "valid">,
  detail: { message: string; platformCode?: string; source: string },
): Promise<void> {
  const changed = await drizzle(env.DB)
    .update(adAccounts)
    .set({ tokenStatus: status, ...(status === "revoked" ? { revokedAt: new Date().toISOString() } : {}) })
    .where(and(eq(adAccounts.id, account.id), eq(adAccounts.tokenStatus, "valid")));
  if (changed.meta.changes === 0) return;
  await forgetCachedAccount(env, account.projectId, account.id);
  await recordAudit(env, [
    accountEvent(account, "ad_account.token_invalid", {
      tokenStatus: status,
      source: detail.source,
      message: detail.message,
      platformCode: detail.platformCode ?? null,
    }),
  ]);
}

export function accountEvent(
  account: Pick<AdAccountRow, "id" | "organizationId" | "projectId" | "platform">,
  eventType: string,
  data: Record<string, unknown>,
  actor?: { requestId: string | null; apiKeyId: string; actorType: string },
): AuditEventInput {
  return {
    eventType,
    requestId: actor?.requestId ?? null,
    organizationId: account.organizationId,
    projectId: account.projectId,
    apiKeyId: actor?.apiKeyId ?? null,
    actorType: actor?.actorType ?? "system",
    verdictId: null,
    data: { adAccountId: account.id, platform: account.platform, ...data },
  };
}

/** Writes are judged on the layer object's cached account row: drop it after a change. */
export async function forgetCachedAccount(env: Env, projectId: string, adAccountId: string): Promise<void> {
  const [layer] = await drizzle(env.DB)
    .select({ id: layers.id })
    .from(layers)
    .where(eq(layers.projectId, projectId))
    .limit(1);
  if (layer) await adAccountChanged(env, layer.id, adAccountId);
}
