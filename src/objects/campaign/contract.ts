/**
 * Owns the campaign object's RPC contract: what routes and consumers hand in (scope, layer
 * snapshot, request meta) and what they get back (results, refusals, accepted writes).
 */

import type { DispatchMessage } from "../../dispatch/messages";
import type { AdsetRecord } from "../../domain/adset-model";
import type { ActorRef, AuthorityBlock } from "../../domain/authority";
import type { CampaignRecord, JobRecord } from "../../domain/campaign-model";
import type { DryRunDecision } from "../../domain/dry-run";
import type { LayerControls } from "../../domain/gate";
import type { ErrorCode } from "../../http/errors";

/** Where the caller believes the campaign lives; anything else is "not found". */
export interface CampaignScope {
  organizationId: string;
  projectId: string;
  platform: string;
}

/** The campaign's layer policy as read by the route, for gate decisions. */
export interface LayerSnapshot {
  defaults: AuthorityBlock;
  controls: LayerControls;
  version: number;
  /** The project's ad accounts that take no writes (expired or revoked), from their single writer. */
  lapsedAccounts?: Record<string, string>;
}

export interface RequestMeta {
  actor: ActorRef & { actorType: "partner" | "user" };
  requestId: string;
  /** The caller's key is a test key: dispatch goes to the simulator. */
  sandbox: boolean;
}

export type Failure = { ok: false; code: ErrorCode; message: string; details?: Record<string, unknown> };
export type Result<T> = ({ ok: true } & T) | Failure;

export interface AuthorityView {
  campaignId: string;
  platform: string;
  authority: AuthorityBlock;
  source: "per_campaign" | "layer_defaults";
  lastModifiedAt: string;
  lastModifiedBy: ActorRef;
  etag: string;
}

export interface WriteAccepted {
  jobId: string;
  verdictId: string;
  status: JobRecord["status"];
  pendingId?: string;
}

/** A gated write's answer: accepted, or (asked with `dryRun`) what the gate would decide. */
export type WriteOutcome = Result<{ accepted: WriteAccepted } | { dryRun: DryRunDecision }>;

export interface CreateInput {
  campaign: CampaignRecord;
  /** The campaign's default ad set, created on the platform right after the campaign. */
  adset: AdsetRecord;
  authority: AuthorityBlock;
  layer: LayerSnapshot;
  verdictId: string;
  jobId: string;
  meta: RequestMeta;
}

export type AttemptOutcome =
  | { next: "done" }
  /** The job's next step is committed and due now: the runner runs this message itself. */
  | { next: "continue"; message: DispatchMessage }
  | { next: "retry"; delaySeconds: number }
  | { next: "dead_letter" };

export const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): Failure => ({
  ok: false,
  code,
  message,
  ...(details ? { details } : {}),
});

export const notFound = () => fail("NOT_FOUND", "Campaign not found.");

export const deleted = () => fail("CONFLICT", "This campaign is deleted.", { status: "deleted" });
