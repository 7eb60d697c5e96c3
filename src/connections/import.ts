/**
 * Owns import and re-sync of an ad account's existing campaigns: page through the platform's
 * listing and hand each campaign to its own campaign object (a deterministic id per platform
 * campaign, so syncing twice creates nothing new). Campaigns created through this API are
 * skipped: they already have an object. The account records when it last synced.
 */
import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ulid } from "ulidx";
import { adAccounts, campaigns, layers } from "../db/schema";
import { findAdAccountById } from "../db/tenancy";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import { recordAudit } from "../objects/audit-ledger";
import { campaignObject } from "../objects/campaign";
import { connectorFor } from "../platforms/connect";
import { PlatformFailure, sha256 } from "../platforms/http";
import { platformConfigFromEnv } from "../platforms/index";
import type { PlatformCredential } from "../platforms/types";
import { accountEvent, markTokenInvalid } from "./accounts";
import { openCredential } from "./credentials";
import type { ImportOutcome } from "./import-model";

/** No sync runs away: at most this many pages per run (Meta pages hold 50, TikTok 100, Apple 200). */
const MAX_PAGES = 200;
/** Seeded sandbox accounts carry no credential; the simulator needs none. */
const SANDBOX_SEED_CREDENTIAL: PlatformCredential = {
  kind: "oauth_token",
  accessToken: "sbx_tok_seeded",
  expiresAt: null,
};

export interface SyncSummary {
  adAccountId: string;
  status: "completed" | "failed";
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  pages: number;
  error?: { code: string; message: string };
}

/** The campaign id an imported platform campaign gets: a ULID derived from (ad account, platform id). */
export async function importedCampaignId(
  adAccountId: string,
  connectedAt: string,
  platformCampaignId: string,
) {
  const digest = await sha256(`import:${adAccountId}:${platformCampaignId}`);
  let index = 0;
  const fromDigest = () => (digest[index++ % digest.length] as number) / 256;
  return `cmp_${ulid(Date.parse(connectedAt) || 0, fromDigest)}`;
}

export async function syncAdAccount(
  env: Env,
  adAccountId: string,
  reason: "connect" | "manual",
): Promise<SyncSummary> {
  const summary: SyncSummary = {
    adAccountId,
    status: "completed",
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    pages: 0,
  };
  const row = await findAdAccountById(env.DB, adAccountId);
  if (row?.tokenStatus !== "valid") {
    return {
      ...summary,
      status: "failed",
      error: { code: "NOT_CONNECTED", message: "platform OAuth not connected" },
    };
  }
  const [layer] = await drizzle(env.DB)
    .select({ id: layers.id })
    .from(layers)
    .where(eq(layers.projectId, row.projectId));
  const sandbox = row.connection !== "live";
  const credential = (await openCredential(env, row.id)) ?? (sandbox ? SANDBOX_SEED_CREDENTIAL : null);
  if (!layer || !credential) {
    return {
      ...summary,
      status: "failed",
      error: { code: "NOT_CONNECTED", message: "platform OAuth not connected" },
    };
  }
  const connector = connectorFor(row.platform as Platform, platformConfigFromEnv({ ...env }), sandbox);
  try {
    let cursor: string | null = null;
    do {
      const page = await connector.listCampaigns(credential, row, cursor);
      summary.pages += 1;
      const known = await campaignsCreatedHere(
        env.DB,
        row.id,
        page.items.map((c) => c.platformCampaignId),
      );
      for (const campaign of page.items) {
        const campaignId = await importedCampaignId(row.id, row.connectedAt, campaign.platformCampaignId);
        const owner = known.get(campaign.platformCampaignId);
        if (owner !== undefined && owner !== campaignId) {
          summary.skipped += 1;
          continue;
        }
        const outcome: ImportOutcome = await campaignObject(env, campaignId).syncFromPlatform({
          target: {
            campaignId,
            organizationId: row.organizationId,
            projectId: row.projectId,
            layerId: layer.id,
            adAccountId: row.id,
            platform: row.platform as Platform,
          },
          campaign,
          now: new Date().toISOString(),
        });
        summary[outcome] += 1;
      }
      cursor = page.next;
    } while (cursor !== null && summary.pages < MAX_PAGES);
  } catch (error) {
    if (!(error instanceof PlatformFailure)) throw error;
    const { result } = error;
    if (result.kind === "auth") {
      await markTokenInvalid(env, row, result.tokenStatus ?? "expired", {
        source: "sync",
        message: result.message,
        ...(result.platformCode ? { platformCode: result.platformCode } : {}),
      });
    }
    summary.status = "failed";
    summary.error = {
      code: result.kind === "auth" ? "PLATFORM_AUTH" : "PLATFORM_ERROR",
      message: result.message,
    };
  }
  const now = new Date().toISOString();
  if (summary.status === "completed") {
    await drizzle(env.DB)
      .update(adAccounts)
      .set({ lastSyncedAt: now, tokenLastValidatedAt: now })
      .where(eq(adAccounts.id, row.id));
  }
  await recordAudit(env, [
    accountEvent(row, summary.status === "completed" ? "ad_account.synced" : "ad_account.sync_failed", {
      reason,
      ...summary,
    }),
  ]);
  return summary;
}

/** Platform ids in this account that already belong to a campaign object (created through this API). */
async function campaignsCreatedHere(
  db: D1Database,
  adAccountId: string,
  platformIds: string[],
): Promise<Map<string, string>> {
  if (platformIds.length === 0) return new Map();
  const rows = await drizzle(db)
    .select({ id: campaigns.id, platformCampaignId: campaigns.platformCampaignId })
    .from(campaigns)
    .where(and(eq(campaigns.adAccountId, adAccountId), inArray(campaigns.platformCampaignId, platformIds)));
  return new Map(rows.flatMap((r) => (r.platformCampaignId ? [[r.platformCampaignId, r.id] as const] : [])));
}
