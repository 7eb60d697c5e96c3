/**
 * Owns the draft queue of one campaign: pending actions, the customer's approve / reject
 * (judged by `evaluateDecision` as the gate stands at decision time), and expiry after 7 days.
 */
import type { AdsetRecord } from "../../domain/adset-model";
import type { AuditEvent } from "../../domain/audit-chain";
import type { ActorRef } from "../../domain/authority";
import {
  ACTION_AXIS,
  type ActionValue,
  type JobRecord,
  PENDING_TTL_MS,
  type PendingRecord,
} from "../../domain/campaign-model";
import { type DryRunDecision, dryRunOf } from "../../domain/dry-run";
import { denialMessage, evaluateDecision } from "../../domain/gate";
import { newId } from "../../domain/ids";
import { describeWrite } from "../../domain/writes/index";
import {
  type CampaignScope,
  deleted,
  fail,
  type LayerSnapshot,
  type RequestMeta,
  type Result,
} from "./contract";
import { actorEvent, systemEvent } from "./events";
import { abandoned, dispatchMessage, finishJob, joinLine, writeTarget } from "./jobs";
import type { CampaignHost } from "./state";

export interface DecisionInput {
  scope: CampaignScope;
  pendingId: string;
  decision: "approve" | "reject";
  note: string | null;
  layer: LayerSnapshot;
  verdictId: string;
  meta: RequestMeta;
  /** Validate and judge only: answer the decision, change and record nothing. */
  dryRun?: boolean;
}

export type DecisionOutcome = Result<
  | {
      pendingId: string;
      status: "approved" | "rejected";
      dispatched: false;
      dispatchedAt: null;
      verdictId: string;
      jobId: string;
    }
  | { dryRun: DryRunDecision }
>;

/** The ad a queued ad write names: the ad, or for a push the ad it will create. */
function adEntity(host: CampaignHost, job: JobRecord): { id: string; name: string } {
  const existing = job.adId ? host.state.ads.get(job.adId) : undefined;
  if (existing) return existing;
  const value = job.newValue as { name?: unknown };
  return { id: job.adId ?? "", name: typeof value.name === "string" ? value.name : "" };
}

/** Parks a job behind a new pending action, which shows `currentValue` as "before". */
export function newPending(
  host: CampaignHost,
  job: JobRecord,
  currentValue: ActionValue | null,
  now: string,
  actor: ActorRef,
  created?: AdsetRecord,
): PendingRecord {
  const campaign = host.state.existing;
  // An ad set the write makes is not in the tree until the commit.
  const adset = created ?? (job.adsetId ? host.state.adsets.get(job.adsetId) : undefined);
  const ad = job.adId ? adEntity(host, job) : undefined;
  const item: PendingRecord = {
    id: newId("pendingAction"),
    actionType: job.actionType,
    jobId: job.id,
    entityType: ad ? "ad" : adset ? "adset" : "campaign",
    entityId: ad ? ad.id : adset ? adset.id : campaign.id,
    entityName: ad ? ad.name : adset ? adset.name : campaign.name,
    currentValue,
    newValue: job.newValue,
    status: "pending",
    requestedBy: actor,
    decidedBy: null,
    decisionNote: null,
    createdAt: now,
    expiresAt: new Date(Date.parse(now) + PENDING_TTL_MS).toISOString(),
    decidedAt: null,
    dispatchedAt: null,
    dispatchFailureReason: null,
  };
  job.pendingId = item.id;
  job.stage = "awaiting_approval";
  return item;
}

export async function decidePending(host: CampaignHost, input: DecisionInput): Promise<DecisionOutcome> {
  const { state } = host;
  const campaign = state.inScope(input.scope);
  const item = state.pending.get(input.pendingId);
  if (!campaign || !item) return fail("NOT_FOUND", "Pending action not found.");
  const now = new Date();
  const expired = item.status === "pending" && Date.parse(item.expiresAt) <= now.getTime();
  // A dry run expires nothing: it answers what the real call would, once it had expired it.
  if (expired && !input.dryRun) await expireDue(host, now);
  const status = expired ? "expired" : item.status;
  if (status !== "pending") {
    return fail("CONFLICT", `This pending action is already ${status}.`, { status });
  }
  const job = state.jobs.get(item.jobId);
  if (!job) return fail("CONFLICT", "The job of this pending action is gone.");
  const at = now.toISOString();
  const decisionData = {
    action: `${input.decision}_pending`,
    pendingId: item.id,
    actionType: item.actionType,
    campaignId: campaign.id,
    currentValueWhenQueued: item.currentValue,
    currentValueNow: describeWrite(item.actionType, job.adsetId !== undefined).currentValue(
      writeTarget(host, job),
      item.newValue,
    ),
    newValue: item.newValue,
    ...(input.note ? { note: input.note } : {}),
  };
  // A queued create is judged against the layer; every other write against the campaign.
  const authority =
    item.actionType === "create_campaign"
      ? input.layer.defaults
      : (state.authority?.block ?? input.layer.defaults);
  const judged = evaluateDecision({
    decision: input.decision,
    actorType: input.meta.actor.actorType,
    actorApiKeyId: input.meta.actor.actorApiKeyId,
    requestedByApiKeyId: item.requestedBy.actorApiKeyId,
    axis: ACTION_AXIS[item.actionType],
    authority,
    layer: input.layer.controls,
  });
  if (judged.decision === "deny") {
    if (input.dryRun) return { ok: true, dryRun: dryRunOf(judged) };
    const { decision: _d, ...details } = judged;
    const verdict = { ...decisionData, decision: "deny", ...details };
    await host.commit({ audit: [actorEvent(campaign, input.meta, "verdict", verdict, input.verdictId, at)] });
    return fail("AUTHORITY_DENIED", `This ${input.decision} is refused: ${denialMessage(judged.reason)}`, {
      verdictId: input.verdictId,
      ...details,
    });
  }
  if (
    input.decision === "approve" &&
    campaign.status === "deleted" &&
    item.actionType !== "delete_campaign"
  ) {
    return deleted();
  }
  if (input.dryRun) return { ok: true, dryRun: dryRunOf(judged) };
  Object.assign(item, { decidedAt: at, decidedBy: input.meta.actor, decisionNote: input.note });
  const approved = input.decision === "approve";
  const audit = [
    actorEvent(campaign, input.meta, "verdict", { ...decisionData, decision: "allow" }, input.verdictId, at),
    actorEvent(
      campaign,
      input.meta,
      approved ? "pending.approved" : "pending.rejected",
      decisionData,
      input.verdictId,
      at,
    ),
  ];
  if (approved) {
    item.status = "approved";
    Object.assign(job, { stage: "queued", updatedAt: at, generation: job.generation + 1 });
    joinLine(host, job);
    if (item.actionType === "create_campaign") Object.assign(campaign, { status: "pending", updatedAt: at });
    await host.commit({
      campaign: true,
      jobs: [job],
      pending: [item],
      audit,
      enqueue: [{ message: dispatchMessage(campaign.id, job) }],
    });
  } else {
    item.status = "rejected";
    finishJob(job, "canceled", at, { code: "CANCELED", message: "The pending action was rejected." });
    if (item.actionType === "create_campaign") Object.assign(campaign, { status: "rejected", updatedAt: at });
    const adsets = abandoned(host, job, "rejected", at);
    await host.commit({ campaign: true, adsets, jobs: [job], pending: [item], audit });
  }
  return {
    ok: true,
    pendingId: item.id,
    status: item.status === "approved" ? "approved" : "rejected",
    dispatched: false,
    dispatchedAt: null,
    verdictId: input.verdictId,
    jobId: job.id,
  };
}

/** Expires every pending action past its time: status `expired`, its job canceled. */
export async function expireDue(host: CampaignHost, now = new Date()): Promise<number> {
  const campaign = host.state.campaign;
  if (!campaign) return 0;
  const at = now.toISOString();
  const expired: PendingRecord[] = [];
  const jobs: JobRecord[] = [];
  const adsets: AdsetRecord[] = [];
  const audit: AuditEvent[] = [];
  for (const item of host.state.pending.values()) {
    if (item.status !== "pending" || Date.parse(item.expiresAt) > now.getTime()) continue;
    Object.assign(item, { status: "expired", decidedAt: at });
    expired.push(item);
    const job = host.state.jobs.get(item.jobId);
    if (job && job.status === "running") {
      finishJob(job, "canceled", at, { code: "EXPIRED", message: "The pending action expired unapproved." });
      jobs.push(job);
      adsets.push(...abandoned(host, job, "rejected", at));
    }
    if (item.actionType === "create_campaign") Object.assign(campaign, { status: "rejected", updatedAt: at });
    audit.push(
      systemEvent(
        campaign,
        "pending.expired",
        { pendingId: item.id, actionType: item.actionType, jobId: item.jobId },
        at,
      ),
    );
  }
  if (expired.length > 0) await host.commit({ campaign: true, adsets, pending: expired, jobs, audit });
  return expired.length;
}

/** When the next pending action expires, if any waits. */
export function nextExpiryAt(host: CampaignHost): number | null {
  let at: number | null = null;
  for (const item of host.state.pending.values()) {
    if (item.status !== "pending") continue;
    const due = Date.parse(item.expiresAt);
    at = at === null ? due : Math.min(at, due);
  }
  return at;
}
