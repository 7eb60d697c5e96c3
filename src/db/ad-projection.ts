/** The D1 copy of an ad, upserted by its campaign's object (newer state versions only). */
import { sql } from "drizzle-orm";
import type { drizzle } from "drizzle-orm/d1";
import type { AdRecord } from "../domain/ad-model";
import type { CampaignRecord } from "../domain/campaign-model";
import { ads } from "./schema";

type Orm = ReturnType<typeof drizzle>;

/** Drizzle property → SQL column of what a newer version may change. */
const UPDATED = {
  creativeId: "creative_id",
  name: "name",
  status: "status",
  reviewStatus: "review_status",
  platformReason: "platform_reason",
  platformAdId: "platform_ad_id",
  submittedAt: "submitted_at",
  decidedAt: "decided_at",
  stateVersion: "state_version",
  updatedAt: "updated_at",
} as const;

export function adUpsert(orm: Orm, campaign: CampaignRecord, a: AdRecord, stateVersion: number) {
  return orm
    .insert(ads)
    .values({
      id: a.id,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      campaignId: campaign.id,
      adsetId: a.adsetId,
      platform: campaign.platform,
      creativeId: a.creative.creativeId,
      name: a.name,
      status: a.status,
      reviewStatus: a.reviewStatus,
      platformReason: a.platformReason,
      platformAdId: a.platformAdId,
      submittedAt: a.submittedAt,
      decidedAt: a.decidedAt,
      stateVersion,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    })
    .onConflictDoUpdate({
      target: ads.id,
      set: Object.fromEntries(
        Object.entries(UPDATED).map(([property, column]) => [property, sql.raw(`excluded.${column}`)]),
      ),
      setWhere: sql.raw("excluded.state_version > ads.state_version"),
    });
}
