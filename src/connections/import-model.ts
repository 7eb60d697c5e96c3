/**
 * Owns the pure part of import and re-sync: a platform campaign becomes an unpinned campaign
 * record (authority inherited from the layer defaults), and a later listing of it becomes
 * drift — name, status, budgets, ad sets — applied without touching authority.
 */
import type { ActorRef } from "../domain/authority";
import type { AuthorityState, CampaignRecord } from "../domain/campaign-model";
import type { PlatformCampaign } from "../platforms/connect";

export interface ImportTarget {
  campaignId: string;
  organizationId: string;
  projectId: string;
  layerId: string;
  adAccountId: string;
  platform: CampaignRecord["platform"];
}

export interface ImportInput {
  target: ImportTarget;
  campaign: PlatformCampaign;
  now: string;
}

export type ImportOutcome = "created" | "updated" | "unchanged";

export interface ImportPlan {
  outcome: ImportOutcome;
  campaign: CampaignRecord | null;
  authority: AuthorityState | null;
  events: { eventType: string; data: Record<string, unknown> }[];
}

const SYSTEM: ActorRef = { actorType: "system", actorOrganizationId: null, actorApiKeyId: null };

type Tracked = Pick<CampaignRecord, "name" | "status" | "dailyBudgetCents" | "lifetimeBudgetCents"> & {
  adSets: string[];
};

function tracked(record: CampaignRecord): Tracked {
  const adSets = record.platformSettings.adSets;
  return {
    name: record.name,
    status: record.status,
    dailyBudgetCents: record.dailyBudgetCents,
    lifetimeBudgetCents: record.lifetimeBudgetCents,
    adSets: Array.isArray(adSets)
      ? adSets.map((a) => String((a as { platformAdSetId?: unknown }).platformAdSetId))
      : [],
  };
}

/**
 * `writeInFlight`: one of our own writes is still on its way to the platform, so the listing
 * may predate it; the campaign is left as it is until a later sync.
 */
export function planImport(
  current: CampaignRecord | null,
  input: ImportInput,
  writeInFlight = false,
): ImportPlan {
  const { target, campaign: seen, now } = input;
  const fromPlatform = {
    name: seen.name,
    status: seen.status,
    dailyBudgetCents: seen.dailyBudgetCents,
    lifetimeBudgetCents: seen.lifetimeBudgetCents,
  } as const;
  const platformSettings = { ...seen.platformSettings, imported: true, adSets: seen.adSets };
  if (!current) {
    const record: CampaignRecord = {
      id: target.campaignId,
      organizationId: target.organizationId,
      projectId: target.projectId,
      layerId: target.layerId,
      platform: target.platform,
      adAccountId: target.adAccountId,
      outcome: seen.outcome,
      ...fromPlatform,
      startTime: seen.startTime,
      endTime: seen.endTime,
      bidStrategy: {},
      targeting: {},
      platformSettings,
      metadata: null,
      platformCampaignId: seen.platformCampaignId,
      createdAt: now,
      updatedAt: now,
    };
    return {
      outcome: "created",
      campaign: record,
      authority: { block: null, version: 1, lastModifiedAt: now, lastModifiedBy: SYSTEM },
      events: [
        {
          eventType: "campaign.imported",
          data: {
            platform: target.platform,
            adAccountId: target.adAccountId,
            platformCampaignId: seen.platformCampaignId,
            name: seen.name,
            status: seen.status,
            authoritySource: "layer_defaults",
            adSets: seen.adSets.length,
          },
        },
      ],
    };
  }
  if (writeInFlight) return { outcome: "unchanged", campaign: null, authority: null, events: [] };
  const before = tracked(current);
  const after: Tracked = { ...fromPlatform, adSets: seen.adSets.map((a) => a.platformAdSetId) };
  const changes = (Object.keys(after) as (keyof Tracked)[])
    .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
    .map((field) => ({ field, from: before[field], to: after[field] }));
  if (changes.length === 0) return { outcome: "unchanged", campaign: null, authority: null, events: [] };
  return {
    outcome: "updated",
    campaign: {
      ...current,
      ...fromPlatform,
      platformSettings: { ...current.platformSettings, ...platformSettings },
      updatedAt: now,
    },
    authority: null,
    events: [
      {
        eventType: "campaign.drift_detected",
        data: { platform: target.platform, platformCampaignId: seen.platformCampaignId, changes },
      },
    ],
  };
}

export interface VanishedInput {
  platformCampaignId: string;
  /** When the listing that missed it began: a campaign created since is not judged by it. */
  listingStartedAt: string;
  /** Only campaigns that were imported (a sandbox listing knows no others). */
  importedOnly: boolean;
  now: string;
}

/**
 * A campaign the platform's complete listing no longer shows is deleted there: it is marked
 * `deleted` with a drift event, authority untouched. Null when it stays as it is.
 */
export function planVanished(
  current: CampaignRecord | null,
  input: VanishedInput,
  writeInFlight: boolean,
): { campaign: CampaignRecord; event: { eventType: string; data: Record<string, unknown> } } | null {
  if (!current || current.status === "deleted" || writeInFlight) return null;
  if (current.platformCampaignId !== input.platformCampaignId) return null;
  if (input.importedOnly && current.platformSettings.imported !== true) return null;
  if (current.createdAt >= input.listingStartedAt) return null;
  return {
    campaign: { ...current, status: "deleted", updatedAt: input.now },
    event: {
      eventType: "campaign.drift_detected",
      data: {
        platform: current.platform,
        platformCampaignId: input.platformCampaignId,
        reason: "not_on_platform",
        changes: [{ field: "status", from: current.status, to: "deleted" }],
      },
    },
  };
}
