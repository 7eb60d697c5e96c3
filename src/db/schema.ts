/**
 * D1 schema. Tenancy tables are written by seeding and operations; campaign, job and
 * pending-action rows are projections written only by the campaign's Durable Object
 * (its state is the source of truth); audit rows only by the organization's ledger object.
 */

import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { ActorRef, AuthorityBlock } from "../domain/authority";

// The tables below a campaign (ad sets, keywords, ads) live in schema-tree.ts.
export * from "./schema-tree";

export const organizations = sqliteTable("organizations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: text("created_at").notNull(),
});

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("projects_org_idx").on(t.organizationId)],
);

export const layers = sqliteTable("layers", {
  id: text("id").primaryKey(),
  organizationId: text("organization_id")
    .notNull()
    .references(() => organizations.id),
  projectId: text("project_id")
    .notNull()
    .unique()
    .references(() => projects.id),
  createdAt: text("created_at").notNull(),
});

/** The layer defaults: one policy block per platform. */
export const layerPolicies = sqliteTable(
  "layer_policies",
  {
    layerId: text("layer_id")
      .notNull()
      .references(() => layers.id),
    platform: text("platform").notNull(),
    creative: text("creative").notNull(),
    tactical: text("tactical").notNull(),
    structural: text("structural").notNull(),
    killSwitchActive: integer("kill_switch_active", { mode: "boolean" }).notNull().default(false),
    partnerWritesEnabled: integer("partner_writes_enabled", { mode: "boolean" }).notNull().default(true),
    partnerDefaultsChangesAllowed: integer("partner_defaults_changes_allowed", { mode: "boolean" })
      .notNull()
      .default(false),
    partnerApprovalsEnabled: integer("partner_approvals_enabled", { mode: "boolean" })
      .notNull()
      .default(false),
    version: integer("version").notNull().default(1),
    lastModifiedAt: text("last_modified_at").notNull(),
    lastModifiedBy: text("last_modified_by", { mode: "json" }).$type<ActorRef>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.layerId, t.platform] })],
);

export const adAccounts = sqliteTable(
  "ad_accounts",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id),
    platform: text("platform").notNull(),
    externalId: text("external_id").notNull(),
    name: text("name").notNull(),
    currency: text("currency").notNull(),
    timezone: text("timezone").notNull(),
    tokenStatus: text("token_status").notNull(),
    /** `sandbox` connections dispatch to the built-in simulator; `live` to the platform. */
    connection: text("connection").notNull().default("sandbox"),
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    connectedAt: text("connected_at").notNull(),
    /** When the platform last confirmed the stored credentials (connect, dispatch, daily check). */
    tokenLastValidatedAt: text("token_last_validated_at"),
    /** When the stored access token expires, where the platform says (Meta ~60 days). */
    tokenExpiresAt: text("token_expires_at"),
    revokedAt: text("revoked_at"),
    lastSyncedAt: text("last_synced_at"),
  },
  (t) => [
    index("ad_accounts_project_idx").on(t.projectId, t.platform),
    uniqueIndex("ad_accounts_external_idx").on(t.projectId, t.platform, t.externalId),
  ],
);

/**
 * An ad account's platform credentials, sealed by the vault (src/connections/vault.ts): only
 * ciphertext, the wrapped data key, the nonces and the key-encryption key's id are stored.
 */
export const adAccountCredentials = sqliteTable(
  "ad_account_credentials",
  {
    adAccountId: text("ad_account_id")
      .primaryKey()
      .references(() => adAccounts.id),
    /** `oauth_token` (Meta, TikTok) or `apple_api_user`. */
    kind: text("kind").notNull(),
    sealed: text("sealed").notNull(),
    keyId: text("key_id").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("credentials_key_idx").on(t.keyId)],
);

/** Pending OAuth consents: single use, short-lived, bound to project, platform and key. */
export const oauthStates = sqliteTable(
  "oauth_states",
  {
    /** SHA-256 of the state value sent to the platform; the value itself is never stored. */
    stateHash: text("state_hash").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    platform: text("platform").notNull(),
    apiKeyId: text("api_key_id").notNull(),
    env: text("env").notNull(),
    returnUrl: text("return_url").notNull(),
    clientState: text("client_state"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    usedAt: text("used_at"),
  },
  (t) => [index("oauth_states_expiry_idx").on(t.expiresAt)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    name: text("name").notNull(),
    /** Hex SHA-256 of the secret part; the key itself is never stored. */
    secretHash: text("secret_hash").notNull(),
    env: text("env").notNull(),
    actorType: text("actor_type").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
    rateLimitTier: text("rate_limit_tier").notNull(),
    /** Projections of the key's guard object (the single home of its kill and revocation). */
    killedAt: text("killed_at"),
    revokedAt: text("revoked_at"),
    createdAt: text("created_at").notNull(),
    /** Last four characters of the current secret, for display; null for keys seeded before it existed. */
    secretLastFour: text("secret_last_four"),
    /** After a rotation the previous secret stays valid until `previousSecretExpiresAt`. */
    previousSecretHash: text("previous_secret_hash"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    expiresAt: text("expires_at"),
    /** Written by the guard object at most about once a minute. */
    lastUsedAt: text("last_used_at"),
    /** URL prefixes/origins an OAuth `returnUrl` may start with (read by the connections flow). */
    returnUrlAllowlist: text("return_url_allowlist", { mode: "json" }).$type<string[]>(),
    createdByApiKeyId: text("created_by_api_key_id"),
  },
  (t) => [index("api_keys_org_idx").on(t.organizationId, t.createdAt, t.id)],
);

export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    platform: text("platform").notNull(),
    adAccountId: text("ad_account_id").notNull(),
    name: text("name").notNull(),
    outcome: text("outcome").notNull(),
    status: text("status").notNull(),
    dailyBudgetCents: integer("daily_budget_cents"),
    lifetimeBudgetCents: integer("lifetime_budget_cents"),
    startTime: text("start_time"),
    endTime: text("end_time"),
    bidStrategy: text("bid_strategy", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    targeting: text("targeting", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    platformSettings: text("platform_settings", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** The caller's metadata, stored as the exact JSON text it sent. */
    metadata: text("metadata"),
    authority: text("authority", { mode: "json" }).$type<AuthorityBlock | null>(),
    authorityVersion: integer("authority_version").notNull().default(0),
    platformCampaignId: text("platform_campaign_id"),
    /** Version of the Durable Object state this row reflects; older writes never overwrite newer. */
    stateVersion: integer("state_version").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("campaigns_project_idx").on(t.projectId, t.createdAt, t.id),
    index("campaigns_org_idx").on(t.organizationId),
  ],
);

export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    /** Empty for an ad account's job (kind `sync_account`), which names its account instead. */
    campaignId: text("campaign_id").notNull(),
    adAccountId: text("ad_account_id"),
    platform: text("platform").notNull(),
    kind: text("kind").notNull(),
    status: text("status").notNull(),
    stage: text("stage"),
    attempts: integer("attempts").notNull().default(0),
    pendingId: text("pending_id"),
    result: text("result", { mode: "json" }).$type<Record<string, unknown> | null>(),
    error: text("error", { mode: "json" }).$type<Record<string, unknown> | null>(),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    updatedAt: text("updated_at").notNull(),
    stateVersion: integer("state_version").notNull(),
  },
  (t) => [index("jobs_campaign_idx").on(t.campaignId), index("jobs_org_idx").on(t.organizationId)],
);

export const pendingActions = sqliteTable(
  "pending_actions",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    projectId: text("project_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    jobId: text("job_id").notNull(),
    platform: text("platform").notNull(),
    actionType: text("action_type").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    entityName: text("entity_name").notNull(),
    currentValue: text("current_value", { mode: "json" }),
    newValue: text("new_value", { mode: "json" }),
    status: text("status").notNull(),
    requestedBy: text("requested_by", { mode: "json" }).$type<ActorRef>().notNull(),
    decidedBy: text("decided_by", { mode: "json" }).$type<ActorRef | null>(),
    decisionNote: text("decision_note"),
    createdAt: text("created_at").notNull(),
    expiresAt: text("expires_at").notNull(),
    decidedAt: text("decided_at"),
    dispatchedAt: text("dispatched_at"),
    dispatchFailureReason: text("dispatch_failure_reason"),
    stateVersion: integer("state_version").notNull(),
  },
  (t) => [
    index("pending_project_idx").on(t.projectId, t.platform, t.status, t.createdAt, t.id),
    index("pending_expiry_idx").on(t.status, t.expiresAt),
  ],
);

export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id").notNull(),
    /** Position in the organization's hash chain, from 1. */
    seq: integer("seq").notNull(),
    eventType: text("event_type").notNull(),
    occurredAt: text("occurred_at").notNull(),
    requestId: text("request_id"),
    projectId: text("project_id"),
    apiKeyId: text("api_key_id"),
    actorType: text("actor_type"),
    verdictId: text("verdict_id"),
    data: text("data").notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("audit_chain_idx").on(t.organizationId, t.seq),
    index("audit_feed_idx").on(t.organizationId, t.occurredAt, t.id),
    index("audit_verdict_idx").on(t.verdictId),
  ],
);

export const deadLetters = sqliteTable("dead_letters", {
  id: text("id").primaryKey(),
  jobId: text("job_id"),
  campaignId: text("campaign_id"),
  body: text("body").notNull(),
  reason: text("reason").notNull(),
  receivedAt: text("received_at").notNull(),
});

/**
 * The project's creative library: media and copy a partner can push as ads. Written only by
 * the creatives routes; creatives are immutable once stored (platforms treat them so too).
 */
export const creatives = sqliteTable(
  "creatives",
  {
    id: text("id").primaryKey(),
    organizationId: text("organization_id")
      .notNull()
      .references(() => organizations.id),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id),
    name: text("name").notNull(),
    format: text("format").notNull(),
    mediaUrl: text("media_url").notNull(),
    thumbnailUrl: text("thumbnail_url"),
    primaryText: text("primary_text").notNull(),
    headline: text("headline"),
    description: text("description"),
    callToAction: text("call_to_action").notNull(),
    linkUrl: text("link_url").notNull(),
    createdBy: text("created_by", { mode: "json" }).$type<ActorRef>().notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("creatives_project_created_idx").on(t.projectId, t.createdAt, t.id)],
);
