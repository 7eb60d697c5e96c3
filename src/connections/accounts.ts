/**
 * Owns the connection columns of `ad_accounts`: connecting, token validation, and the way to
 * the single writer of token status (the layer object, `objects/layer/account-status.ts`),
 * which commits each status change with its audit event.
 */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { adAccounts, layers } from "../db/schema";
import type { AdAccountRow } from "../db/tenancy";
import { newId } from "../domain/ids";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import type { AuditEventInput } from "../objects/audit-ledger";
import type { TokenStatus } from "../objects/layer/account-status";
import { adAccountChanged, layerPolicyObject } from "../objects/layer-policy";
import type { PlatformAccount } from "../platforms/connect";

export type { TokenStatus };

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
    connection: target.connection,
    tokenLastValidatedAt: now,
    tokenExpiresAt,
  };
  // An existing account's status comes back to `valid` through its single writer (`setAccountStatus`).
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
    tokenStatus: "valid",
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
  await setAccountStatus(env, account, status, {
    onlyFrom: ["valid"],
    event: accountEvent(account, "ad_account.token_invalid", {
      tokenStatus: status,
      source: detail.source,
      message: detail.message,
      platformCode: detail.platformCode ?? null,
    }),
  });
}

/**
 * Changes the account's token status through its single writer, the layer object, which
 * commits the change and `event` together (and delivers both through its outbox); writes are
 * judged on the new status from its next request. False when nothing changed.
 */
export async function setAccountStatus(
  env: Env,
  account: Pick<AdAccountRow, "id" | "organizationId" | "projectId">,
  status: TokenStatus,
  change: { event: AuditEventInput; onlyFrom?: TokenStatus[] },
): Promise<boolean> {
  const layerId = await layerOf(env, account.projectId);
  // Every project has its layer (created with it): without one there is no writer to ask.
  if (!layerId) throw new Error(`project ${account.projectId} has no layer`);
  return layerPolicyObject(env, layerId).changeAccountStatus({
    account: { id: account.id, organizationId: account.organizationId, projectId: account.projectId },
    status,
    ...change,
  });
}

async function layerOf(env: Env, projectId: string): Promise<string | null> {
  const [layer] = await drizzle(env.DB)
    .select({ id: layers.id })
    .from(layers)
    .where(eq(layers.projectId, projectId))
    .limit(1);
  return layer?.id ?? null;
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
  const layerId = await layerOf(env, projectId);
  if (layerId) await adAccountChanged(env, layerId, adAccountId);
}
