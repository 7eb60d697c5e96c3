/**
 * D1 copies of Apple targeting keywords: the upsert the campaign object's outbox writes (newer
 * state versions only) and the keyset-paged read of one ad group's keywords.
 */
import { and, asc, eq, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { CampaignRecord } from "../domain/campaign-model";
import type { KeywordRecord } from "../domain/keyword-model";
import { keywords } from "./schema";

type Orm = ReturnType<typeof drizzle>;

export type KeywordRow = typeof keywords.$inferSelect;

export function keywordUpsert(orm: Orm, campaign: CampaignRecord, k: KeywordRecord, stateVersion: number) {
  return orm
    .insert(keywords)
    .values({
      id: k.id,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      campaignId: campaign.id,
      adsetId: k.adsetId,
      platform: campaign.platform,
      text: k.text,
      matchType: k.matchType,
      bidAmountCents: k.bidAmountCents,
      status: k.status,
      platformKeywordId: k.platformKeywordId,
      stateVersion,
      createdAt: k.createdAt,
      updatedAt: k.updatedAt,
    })
    .onConflictDoUpdate({
      target: keywords.id,
      set: {
        bidAmountCents: sql.raw("excluded.bid_amount_cents"),
        status: sql.raw("excluded.status"),
        platformKeywordId: sql.raw("excluded.platform_keyword_id"),
        stateVersion: sql.raw("excluded.state_version"),
        updatedAt: sql.raw("excluded.updated_at"),
      },
      setWhere: sql.raw("excluded.state_version > keywords.state_version"),
    });
}

export interface KeywordQuery {
  projectId: string;
  adsetId: string;
  statuses?: string[];
  /** Keyset: rows strictly after this (createdAt ASC, id ASC: the order they were added). */
  after?: { createdAt: string; id: string };
  limit: number;
}

export async function listKeywords(db: D1Database, q: KeywordQuery) {
  const conditions: (SQL | undefined)[] = [
    eq(keywords.projectId, q.projectId),
    eq(keywords.adsetId, q.adsetId),
  ];
  if (q.statuses?.length) conditions.push(inArray(keywords.status, q.statuses));
  if (q.after) {
    const { createdAt, id } = q.after;
    conditions.push(
      or(gt(keywords.createdAt, createdAt), and(eq(keywords.createdAt, createdAt), gt(keywords.id, id))),
    );
  }
  const rows = await drizzle(db)
    .select()
    .from(keywords)
    .where(and(...conditions))
    .orderBy(asc(keywords.createdAt), asc(keywords.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
}
