/**
 * The campaign object's records: the campaign, its jobs and its pending actions, and the
 * vocabulary of gated actions. The campaign's Durable Object holds these; D1 holds copies.
 */
import type { ActorRef, AuthorityBlock, Axis } from "./authority";
import type { KeywordJobResult } from "./keyword-model";
import type { Outcome, Platform } from "./platform-rules";

export type CampaignStatus =
  | "pending"
  | "awaiting_approval"
  | "active"
  | "paused"
  | "deleted"
  | "failed"
  | "rejected";

export interface CampaignRecord {
  id: string;
  organizationId: string;
  projectId: string;
  layerId: string;
  platform: Platform;
  adAccountId: string;
  name: string;
  outcome: Outcome;
  status: CampaignStatus;
  dailyBudgetCents: number | null;
  lifetimeBudgetCents: number | null;
  startTime: string | null;
  endTime: string | null;
  bidStrategy: Record<string, unknown>;
  targeting: Record<string, unknown>;
  platformSettings: Record<string, unknown>;
  /** The caller's metadata as the exact JSON text it sent, or null. */
  metadata: string | null;
  platformCampaignId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AuthorityState {
  /** null while the campaign inherits its layer's defaults. */
  block: AuthorityBlock | null;
  /** The modes the customer (a `user` actor) last set on this campaign: the partner's ceiling there. */
  customerModes?: Partial<AuthorityBlock>;
  version: number;
  lastModifiedAt: string;
  lastModifiedBy: ActorRef;
}

export const ACTION_TYPES = [
  "create_campaign",
  "update_budget",
  "pause_campaign",
  "resume_campaign",
  "delete_campaign",
  "update_targeting",
  "pause_adset",
  "resume_adset",
  "delete_adset",
  "add_keywords",
  "update_keywords",
  "delete_keywords",
  "push_creative",
  "replace_creative",
  "prune_creative",
  "pause_ad",
  "resume_ad",
  "delete_ad",
  "create_adset",
  "update_schedule",
  "update_bid_strategy",
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** Which authority axis governs each action. */
export const ACTION_AXIS: Record<ActionType, Axis> = {
  create_campaign: "structural",
  update_budget: "tactical",
  pause_campaign: "structural",
  resume_campaign: "structural",
  delete_campaign: "structural",
  update_targeting: "tactical",
  pause_adset: "structural",
  resume_adset: "structural",
  delete_adset: "structural",
  add_keywords: "creative",
  update_keywords: "creative",
  delete_keywords: "creative",
  push_creative: "creative",
  replace_creative: "creative",
  prune_creative: "creative",
  pause_ad: "structural",
  resume_ad: "structural",
  delete_ad: "structural",
  create_adset: "structural",
  update_schedule: "tactical",
  update_bid_strategy: "tactical",
};

export const JOB_KIND: Record<ActionType, string> = {
  create_campaign: "ads_create_campaign",
  update_budget: "ads_update_budget",
  pause_campaign: "ads_pause_campaign",
  resume_campaign: "ads_resume_campaign",
  delete_campaign: "ads_delete_campaign",
  update_targeting: "ads_update_targeting",
  pause_adset: "ads_pause_adset",
  resume_adset: "ads_resume_adset",
  delete_adset: "ads_delete_adset",
  add_keywords: "ads_add_keywords",
  update_keywords: "ads_update_keywords",
  delete_keywords: "ads_delete_keywords",
  push_creative: "ads_push_creative",
  replace_creative: "ads_replace_creative",
  prune_creative: "ads_prune_creative",
  pause_ad: "ads_pause_ad",
  resume_ad: "ads_resume_ad",
  delete_ad: "ads_delete_ad",
  create_adset: "ads_create_adset",
  update_schedule: "ads_update_schedule",
  update_bid_strategy: "ads_update_bid_strategy",
};

export interface BudgetValue {
  dailyBudgetCents?: number;
  lifetimeBudgetCents?: number;
}

export type ActionValue = BudgetValue | { status: CampaignStatus } | Record<string, unknown>;

export type JobStatus = "running" | "completed" | "failed" | "canceled";
export type JobStage = "queued" | "awaiting_approval" | "dispatching" | "retrying";

export interface JobError {
  code: "PLATFORM_REJECTED" | "PLATFORM_AUTH" | "PLATFORM_ERROR" | "CANCELED" | "EXPIRED";
  message: string;
  platformCode?: string;
}

export interface JobRecord {
  id: string;
  kind: string;
  actionType: ActionType;
  /** The ad set an ad set write acts on (absent: the write acts on the campaign). */
  adsetId?: string;
  /** The ad an ad write acts on (a push names the ad it will create). */
  adId?: string;
  /** What the job asks the platform for (a budget change, a status). */
  newValue: ActionValue;
  status: JobStatus;
  stage: JobStage | null;
  attempts: number;
  pendingId: string | null;
  verdictId: string;
  /** Bumped each time a fresh queue message is sent, so stale messages are recognised. */
  generation: number;
  /**
   * Its place in the campaign's line of writes, given when it is accepted for dispatch (a
   * queued draft write gets its place when approved). A job runs only once every job ahead
   * of it has settled.
   */
  sequence?: number;
  /** Dispatch to the simulator (test-env keys) instead of the account's own connection. */
  sandbox: boolean;
  requestedBy: ActorRef;
  requestId: string | null;
  /**
   * After a create's first step, the campaign id alone; at the end, the default ad set's too.
   * An ad write adds the ad's ids; a keyword write one result per keyword.
   */
  result: {
    platformCampaignId: string;
    platformAdsetId?: string;
    adId?: string;
    platformAdId?: string;
    keywords?: KeywordJobResult[];
  } | null;
  error: JobError | null;
  startedAt: string;
  finishedAt: string | null;
  updatedAt: string;
  nextAttemptAt: string | null;
}

export type PendingStatus =
  | "pending"
  | "approved"
  | "rejected"
  | "dispatched"
  | "dispatch_failed"
  | "expired";

export interface PendingRecord {
  id: string;
  actionType: ActionType;
  jobId: string;
  entityType: "campaign" | "adset" | "ad";
  entityId: string;
  entityName: string;
  currentValue: ActionValue | null;
  newValue: ActionValue;
  status: PendingStatus;
  requestedBy: ActorRef;
  decidedBy: ActorRef | null;
  decisionNote: string | null;
  createdAt: string;
  expiresAt: string;
  decidedAt: string | null;
  dispatchedAt: string | null;
  dispatchFailureReason: string | null;
}

export const PENDING_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The campaign status a finished action leaves behind. */
export function statusAfter(action: ActionType, current: CampaignStatus): CampaignStatus {
  switch (action) {
    case "create_campaign":
    case "resume_campaign":
      return "active";
    case "pause_campaign":
      return "paused";
    case "delete_campaign":
      return "deleted";
    case "update_budget":
    case "update_targeting":
    case "pause_adset":
    case "resume_adset":
    case "delete_adset":
    case "add_keywords":
    case "update_keywords":
    case "delete_keywords":
    case "push_creative":
    case "replace_creative":
    case "prune_creative":
    case "pause_ad":
    case "resume_ad":
    case "delete_ad":
    case "create_adset":
    case "update_schedule":
    case "update_bid_strategy":
      return current;
  }
}
