/**
 * Owns the steps of import and re-sync of an ad account's existing campaigns (run by the
 * account's sync job, `objects/account-sync.ts`): open the account, hand each listed campaign
 * to its own campaign object (a deterministic id per platform campaign, so syncing twice
 * creates nothing new), and after a complete listing mark the campaigns it no longer shows
 * deleted. Campaigns created through this API are skipped: they already have an object.
 */
import { and, eq, inArray, isNotNull, ne } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { ulid } from "ulidx";
import { adAccounts, campaigns, layers } from "../db/schema";
import { type AdAccountRow, findAdAccountById } from "../db/tenancy";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import { campaignObject } from "../objects/campaign";
import { layerPolicyObject } from "../objects/layer-policy";
import { connectorFor, type PlatformCampaign, type PlatformConnector } from "../platforms/connect";
import { type PlatformFailure, sha256 } from "../platforms/http";
import { platformConfigFromEnv } from "../platforms/index";
import type { PlatformCredential } from "../platforms/types";
import { markTokenInvalid } from "./accounts";
import { openCredential } from "./credentials";
import type { ImportOutcome } from "./import-model";

/** No sync runs away: at most this many pages per job (Meta pages hold 50, TikTok 100, Apple 200). */
export const MAX_SYNC_PAGES = 200;
/** Seeded sandbox accounts carry no credential; the simulator needs none. */
const SANDBOX_SEED_CREDENTIAL: PlatformCredential = {
  kind: "oauth_token",
  accessToken: "sbx_tok_seeded",
  expiresAt: null,
};

/** What one sync needs, opened once per run of its job (credentials never leave this process). */
export interface SyncContext {
  row: AdAccountRow;
  layerId: string;
  credential: PlatformCredential;
  connector: PlatformConnector;
}

/** One listed campaign's outcome in a sync. */
export interface SeenCampaign {
  platformCampaignId: string;
  outcome: ImportOutcome | "skipped";
  adSets: number;
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

/** The account, its layer and its opened credentials, or null when its platform OAuth is not connected. */
export async function openSync(env: Env, adAccountId: string): Promise<SyncContext | null> {
  const row = await findAdAccountById(env.DB, adAccountId);
  if (!row) return null;
  const [layer] = await drizzle(env.DB)
    .select({ id: layers.id })
    .from(layers)
    .where(eq(layers.projectId, row.projectId));
  const sandbox = row.connection !== "live";
  const credential = (await openCredential(env, row.id)) ?? (sandbox ? SANDBOX_SEED_CREDENTIAL : null);
  if (!layer || !credential) return null;
  // The account's status comes from its single writer (D1's copy may trail a change).
  const answer: unknown = await layerPolicyObject(env, layer.id).writeContext(
    layer.id,
    row.platform,
    row.projectId,
    row.id,
  );
  if ((answer as { account: AdAccountRow | null }).account?.tokenStatus !== "valid") return null;
  const connector = connectorFor(row.platform as Platform, platformConfigFromEnv({ ...env }), sandbox);
  return { row, layerId: layer.id, credential, connector };
}

/** Hands each listed campaign to its campaign object (idempotent: a page done twice changes nothing). */
export async function importPage(
  env: Env,
  sync: SyncContext,
  items: PlatformCampaign[],
  now: string,
): Promise<SeenCampaign[]> {
  const { row } = sync;
  const known = await campaignsCreatedHere(
    env.DB,
    row.id,
    items.map((c) => c.platformCampaignId),
  );
  const seen: SeenCampaign[] = [];
  for (const campaign of items) {
    const campaignId = await importedCampaignId(row.id, row.connectedAt, campaign.platformCampaignId);
    const owner = known.get(campaign.platformCampaignId);
    const base = { platformCampaignId: campaign.platformCampaignId, adSets: campaign.adSets.length };
    if (owner !== undefined && owner !== campaignId) {
      seen.push({ ...base, outcome: "skipped" });
      continue;
    }
    const outcome: ImportOutcome = await campaignObject(env, campaignId).syncFromPlatform({
      target: {
        campaignId,
        organizationId: row.organizationId,
        projectId: row.projectId,
        layerId: sync.layerId,
        adAccountId: row.id,
        platform: row.platform as Platform,
      },
      campaign,
      now,
    });
    seen.push({ ...base, outcome });
  }
  return seen;
}

/**
 * After a complete listing: each campaign of the account on the platform that the listing no
 * longer shows is marked deleted by its own object (with a drift event). Campaigns created
 * after the listing began are left alone, and on a sandbox connection (whose listing knows
 * only its pre-existing campaigns) only imported ones are considered.
 */
export async function sweepVanished(
  env: Env,
  sync: SyncContext,
  listed: Set<string>,
  listingStartedAt: string,
): Promise<number> {
  const rows = await drizzle(env.DB)
    .select({ id: campaigns.id, platformCampaignId: campaigns.platformCampaignId })
    .from(campaigns)
    .where(
      and(
        eq(campaigns.adAccountId, sync.row.id),
        ne(campaigns.status, "deleted"),
        isNotNull(campaigns.platformCampaignId),
      ),
    );
  let marked = 0;
  for (const c of rows) {
    if (!c.platformCampaignId || listed.has(c.platformCampaignId)) continue;
    const outcome = await campaignObject(env, c.id).markVanished({
      platformCampaignId: c.platformCampaignId,
      listingStartedAt,
      importedOnly: sync.row.connection !== "live",
      now: new Date().toISOString(),
    });
    if (outcome === "deleted") marked += 1;
  }
  return marked;
}

/** A platform auth error during a sync marks the account, like one during dispatch. */
export async function noteSyncAuthFailure(env: Env, sync: SyncContext, failure: PlatformFailure) {
  const { result } = failure;
  if (result.kind !== "auth") return;
  await markTokenInvalid(env, sync.row, result.tokenStatus ?? "expired", {
    source: "sync",
    message: result.message,
    ...(result.platformCode ? { platformCode: result.platformCode } : {}),
  });
}

/** The account finished a sync: it records when. */
export async function markSynced(db: D1Database, adAccountId: string, at: string): Promise<void> {
  await drizzle(db)
    .update(adAccounts)
    .set({ lastSyncedAt: at, tokenLastValidatedAt: at })
    .where(eq(adAccounts.id, adAccountId));
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
