/**
 * Owns the one gated-write pipeline every write goes through, create included:
 * validate (scope, replay, state) → gate (`domain/gate.ts`) → verdict → commit with its
 * outbox as a no-op, a pending action (`draft`) or a dispatch (`auto`). What a write is —
 * its axis, blocker, no-op test, platform call — comes from its description in
 * `domain/writes/`.
 */
import type { AuditEvent } from "../../domain/audit-chain";
import type { ActorType, AuthorityBlock } from "../../domain/authority";
import type { ActionType, ActionValue, CampaignRecord, JobRecord } from "../../domain/campaign-model";
import { dryRunOf } from "../../domain/dry-run";
import { type DenyReason, denialMessage, evaluateCreate, evaluateWrite } from "../../domain/gate";
import { createValue } from "../../domain/writes/campaign";
import { describeWrite, type WriteTarget } from "../../domain/writes/index";
import { newPending } from "./approvals";
import {
  type CampaignScope,
  type CreateInput,
  deleted,
  fail,
  type LayerSnapshot,
  notFound,
  type RequestMeta,
  type Result,
  type WriteAccepted,
  type WriteOutcome,
} from "./contract";
import { actorEvent } from "./events";
import { accepted, dispatchMessage, finishJob, inLine, joinLine, newJob } from "./jobs";
import { settledResult } from "./keyword-results";
import type { CampaignHost, CampaignState, Changes } from "./state";

export interface WriteInput {
  scope: CampaignScope;
  action: Exclude<ActionType, "create_campaign">;
  /** The ad set an ad set write (or a push) acts on. */
  adsetId?: string;
  /** The ad an ad write acts on; for a push, the id its ad will take. */
  adId?: string;
  value: ActionValue;
  layer: LayerSnapshot;
  verdictId: string;
  jobId: string;
  meta: RequestMeta;
  /** Validate and judge only: answer the gate's decision, change and record nothing. */
  dryRun?: boolean;
}

type Accepted = Result<{ accepted: WriteAccepted }>;

/** A delete on its way to the platform (not one waiting for approval). */
export function deleteInFlight(state: CampaignState): boolean {
  for (const job of state.jobs.values()) {
    if (
      job.actionType === "delete_campaign" &&
      job.status === "running" &&
      job.stage !== "awaiting_approval"
    ) {
      return true;
    }
  }
  return false;
}

/**
 * The ad set's ads, leaving out those an accepted prune or delete (in line or awaiting
 * approval) is about to take away: two prunes in a row cannot empty an ad set between them.
 */
function siblingsStaying(state: CampaignState, adsetId: string) {
  const leaving = new Set<string>();
  for (const job of state.jobs.values()) {
    if (job.status !== "running" || !job.adId) continue;
    if (job.actionType === "prune_creative" || job.actionType === "delete_ad") leaving.add(job.adId);
  }
  return [...state.ads.values()].filter((a) => a.adsetId === adsetId && !leaving.has(a.id));
}

/** The denial answer: 403 with the verdict and why, in the customer's terms. */
function denied(
  message: string,
  verdictId: string,
  details: { reason: DenyReason } & Record<string, unknown>,
) {
  return fail("AUTHORITY_DENIED", message, { verdictId, ...details });
}

/** The customer's docs: writes on an account whose OAuth lapsed or was revoked answer 404. */
function notConnected(tokenStatus: string) {
  return fail("NOT_FOUND", "Campaign's ad account: platform OAuth not connected.", {
    reason: "platform_oauth_not_connected",
    tokenStatus,
  });
}

/** A gated write on an existing campaign. */
export async function submitWrite(host: CampaignHost, input: WriteInput): Promise<WriteOutcome> {
  const { state } = host;
  const campaign = state.inScope(input.scope);
  if (!campaign || !state.authority) return notFound();
  const lapsed = input.layer.lapsedAccounts?.[campaign.adAccountId];
  if (lapsed) return notConnected(lapsed);
  const prior = state.jobs.get(input.jobId);
  if (prior) return { ok: true, accepted: accepted(prior) };
  if (campaign.status === "deleted" || deleteInFlight(state)) return deleted();
  const ad = input.adId ? (state.ads.get(input.adId) ?? null) : null;
  if (input.adId && !ad && input.action !== "push_creative") return fail("NOT_FOUND", "Ad not found.");
  const adsetId = ad ? ad.adsetId : input.adsetId;
  const adset = adsetId ? (state.adsets.get(adsetId) ?? null) : null;
  if (adsetId && !adset) return fail("NOT_FOUND", "Ad set not found.");
  const adsetAds = adset ? siblingsStaying(state, adset.id) : [];
  const tree = [...state.adsets.values()];
  const target: WriteTarget = { campaign, adset, ad, adsetAds, keywords: state.keywords, tree };
  const write = describeWrite(input.action, adset !== null);
  // State conflicts come before the gate: no gate decision is made (nor recorded) for them.
  const refusal = write.blocker(target, input.value);
  if (refusal) return fail(refusal.code, refusal.message, refusal.details);
  const decision = evaluateWrite({
    actorType: input.meta.actor.actorType,
    axis: write.axis,
    authority: state.authority.block ?? input.layer.defaults,
    layer: input.layer.controls,
  });
  if (input.dryRun) {
    // Judged, not recorded: the decision and whether it would complete at once as a no-op (below).
    const noop = inLine(host).length === 0 && write.isNoop(target, input.value);
    return { ok: true, dryRun: dryRunOf(decision, { noop }) };
  }
  const now = new Date().toISOString();
  const verdict = actorEvent(
    campaign,
    input.meta,
    "verdict",
    {
      action: input.action,
      campaignId: campaign.id,
      ...(adset ? { adsetId: adset.id } : {}),
      ...(input.adId ? { adId: input.adId } : {}),
      decision: decision.decision === "dispatch" ? "allow" : decision.decision,
      axis: write.axis,
      currentMode: decision.currentMode,
      newValue: input.value,
      ...(decision.decision === "deny" ? { reason: decision.reason } : {}),
    },
    input.verdictId,
    now,
  );
  if (decision.decision === "deny") {
    await host.commit({ audit: [verdict] });
    const { axis, currentMode, reason } = decision;
    const message = `The campaign's ${axis} axis refuses this write: ${denialMessage(reason)}`;
    return denied(message, input.verdictId, { axis, currentMode, reason });
  }
  const job = newJob(input.action, input.jobId, input.verdictId, input.value, input.meta, now);
  // A write that makes an ad set adds it to the tree now, `pending` until the platform confirms.
  const created = write.creates?.(target, input.value, now) ?? null;
  if (created) target.adset = created;
  if (target.adset) job.adsetId = target.adset.id;
  if (input.adId) job.adId = input.adId;
  // A no-op only against the state every earlier accepted write leaves: with writes still in
  // line, this one takes its place behind them and is judged again when its turn comes.
  if (inLine(host).length === 0 && write.isNoop(target, input.value)) {
    finishJob(job, "completed", now, null);
    job.result = settledResult(job, target, null);
    const done = actorEvent(campaign, input.meta, "job.completed", {
      jobId: job.id,
      kind: job.kind,
      noop: true,
    });
    await host.commit({ jobs: [job], audit: [verdict, done] });
    return { ok: true, accepted: accepted(job) };
  }
  return accept(host, {
    campaign,
    job,
    queued: decision.decision === "queue",
    currentValue: write.currentValue(target, input.value),
    audit: [verdict],
    meta: input.meta,
    now,
    ...(created ? { changes: { adsets: [created] } } : {}),
  });
}

/**
 * How a create is judged: against the layer defaults, before the campaign exists. Pure, so a
 * create's dry run (`routes/campaigns/create.ts`) asks it directly, with no object involved.
 */
export function judgeCreate(actorType: ActorType, layer: LayerSnapshot, requested: AuthorityBlock) {
  return evaluateCreate({
    actorType,
    layerDefaults: layer.defaults,
    layer: layer.controls,
    requested,
  });
}

export const dryRunCreate = (actorType: ActorType, layer: LayerSnapshot, requested: AuthorityBlock) =>
  dryRunOf(judgeCreate(actorType, layer, requested));

/** A create, judged against the layer defaults; a denial leaves only its verdict behind. */
export async function createCampaign(host: CampaignHost, input: CreateInput): Promise<Accepted> {
  const { state } = host;
  if (state.campaign) {
    const job = state.jobs.get(input.jobId);
    if (state.campaign.id === input.campaign.id && job) return { ok: true, accepted: accepted(job) };
    return fail("CONFLICT", "This campaign already exists.");
  }
  const decision = judgeCreate(input.meta.actor.actorType, input.layer, input.authority);
  const now = input.campaign.createdAt;
  const verdict = actorEvent(
    input.campaign,
    input.meta,
    "verdict",
    {
      action: "create_campaign",
      campaignId: input.campaign.id,
      decision: decision.decision === "dispatch" ? "allow" : decision.decision,
      axis: decision.axis,
      currentMode: decision.currentMode,
      requestedAuthority: input.authority,
      layerDefaults: input.layer.defaults,
      ...(decision.decision === "deny" ? { reason: decision.reason } : {}),
    },
    input.verdictId,
    now,
  );
  if (decision.decision === "deny") {
    // Nothing else is stored: the campaign does not exist, only the decision's audit row.
    await host.commit({ audit: [verdict] });
    const { decision: _d, ...details } = decision;
    const message =
      decision.reason === "authority_axis_off"
        ? "Layer's structural axis is set to 'off'; campaign-create denied."
        : `Campaign-create denied: ${denialMessage(decision.reason)}`;
    return denied(message, input.verdictId, details);
  }
  const queued = decision.decision === "queue";
  const campaign: CampaignRecord = { ...input.campaign, status: queued ? "awaiting_approval" : "pending" };
  state.campaign = campaign;
  state.authority = {
    block: input.authority,
    version: 1,
    lastModifiedAt: now,
    lastModifiedBy: input.meta.actor,
  };
  const job = newJob(
    "create_campaign",
    input.jobId,
    input.verdictId,
    createValue(campaign, input.adset.id),
    input.meta,
    now,
  );
  const created = actorEvent(campaign, input.meta, "campaign.created", {
    campaignId: campaign.id,
    platform: campaign.platform,
    authority: input.authority satisfies AuthorityBlock,
    jobId: job.id,
  });
  return accept(host, {
    campaign,
    job,
    queued,
    currentValue: null,
    audit: [verdict, created],
    meta: input.meta,
    now,
    changes: { campaign: true, authority: true, adsets: [{ ...input.adset, campaignId: campaign.id }] },
  });
}

/** The common tail: park the job behind a pending action, or put it in line and dispatch it. */
async function accept(
  host: CampaignHost,
  w: {
    campaign: CampaignRecord;
    job: JobRecord;
    queued: boolean;
    currentValue: ActionValue | null;
    audit: AuditEvent[];
    meta: RequestMeta;
    now: string;
    changes?: Changes;
  },
): Promise<Accepted> {
  const { campaign, job } = w;
  if (w.queued) {
    const made = w.changes?.adsets?.find((a) => a.id === job.adsetId);
    const pending = newPending(host, job, w.currentValue, w.now, w.meta.actor, made);
    const created = actorEvent(campaign, w.meta, "pending.created", {
      pendingId: pending.id,
      actionType: job.actionType,
      campaignId: campaign.id,
      entityType: pending.entityType,
      entityId: pending.entityId,
      currentValue: pending.currentValue,
      newValue: pending.newValue,
    });
    await host.commit({ ...w.changes, jobs: [job], pending: [pending], audit: [...w.audit, created] });
  } else {
    joinLine(host, job);
    await host.commit({
      ...w.changes,
      jobs: [job],
      audit: w.audit,
      enqueue: [{ message: dispatchMessage(campaign.id, job) }],
    });
  }
  return { ok: true, accepted: accepted(job) };
}
