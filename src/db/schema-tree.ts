/**
 * D1 schema of the tree below a campaign: ad sets, Apple keywords and ads. Each row is a
 * projection written only by its campaign's Durable Object (the single writer of the tree);
 * lists read them, one record is read from the object. Re-exported by schema.ts.
 */

import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** D1 copies of the campaign objects' ad sets (TikTok, Apple: ad groups), for lists. */
export const adsets = sqliteTable(
  "adsets",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    platform: text("platform").notNull(),
    adAccountId: text("ad_account_id").notNull(),
    name: text("name").notNull(),
    status: text("status").notNull(),
    optimizationGoal: text("optimization_goal").notNull(),
    billingEvent: text("billing_event").notNull(),
    bidStrategy: text("bid_strategy", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    dailyBudgetCents: integer("daily_budget_cents"),
    lifetimeBudgetCents: integer("lifetime_budget_cents"),
    targeting: text("targeting", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    schedule: text("schedule", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    platformAdsetId: text("platform_adset_id"),
    stateVersion: integer("state_version").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("adsets_project_idx").on(t.projectId, t.createdAt, t.id),
    index("adsets_campaign_idx").on(t.campaignId),
  ],
);

/** Apple targeting keywords: D1 copies of the campaign objects' keyword records. */
export const keywords = sqliteTable(
  "keywords",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    adsetId: text("adset_id").notNull(),
    platform: text("platform").notNull(),
    text: text("text").notNull(),
    matchType: text("match_type").notNull(),
    bidAmountCents: integer("bid_amount_cents"),
    status: text("status").notNull(),
    platformKeywordId: text("platform_keyword_id").notNull(),
    stateVersion: integer("state_version").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("keywords_adset_idx").on(t.adsetId, t.createdAt, t.id)],
);

/**
 * D1 copies of the ads (Meta, TikTok), written only by their campaign's object through its
 * outbox: lists and the review list read these; one ad is read from the object.
 */
export const ads = sqliteTable(
  "ads",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    adsetId: text("adset_id").notNull(),
    platform: text("platform").notNull(),
    creativeId: text("creative_id").notNull(),
    name: text("name").notNull(),
    status: text("status").notNull(),
    reviewStatus: text("review_status").notNull(),
    platformReason: text("platform_reason"),
    platformAdId: text("platform_ad_id").notNull(),
    submittedAt: text("submitted_at").notNull(),
    decidedAt: text("decided_at"),
    stateVersion: integer("state_version").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("ads_project_idx").on(t.projectId, t.createdAt, t.id),
    index("ads_adset_idx").on(t.adsetId),
    index("ads_review_idx").on(t.projectId, t.platform, t.submittedAt, t.id),
  ],
);
