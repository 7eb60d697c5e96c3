/**
 * One object per campaign: the single writer of everything that mutates it — its authority
 * block, its gated writes and pending actions, and its jobs' state machine. Each change is
 * committed to this object's storage together with an outbox (D1 copies to refresh, audit
 * events to append, queue messages to send); the outbox is then delivered, and an alarm
 * redelivers whatever did not land.
 */
import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { type ImportInput, type ImportOutcome, planImport } from "../connections/import-model";
import { campaignUpsert, jobUpsert, pendingUpsert } from "../db/projections";
import { executeOnPlatform } from "../dispatch/execute";
import type { DispatchMessage } from "../dispatch/messages";
import { nextRetryDelay } from "../dispatch/retry-policy";
import type { AuditEvent } from "../domain/audit-chain";
import type { ActorRef, AuthorityBlock } from "../domain/authority";
import {
  ACTION_AXIS,
  type ActionType,
  type ActionValue,
  type AuthorityState,
  type BudgetValue,
  type CampaignRecord,
  JOB_KIND,
  type JobError,
  type JobRecord,
  PENDING_TTL_MS,
  type PendingRecord,
  statusAfter,
} from "../domain/campaign-model";
import { ifMatchHolds } from "../domain/etags";
import { denialMessage, evaluateAuthorityChange, evaluateWrite, type LayerControls } from "../domain/gate";
import { newId } from "../domain/ids";
import { dispatchConfig, type Env } from "../env";
import type { ErrorCode } from "../http/errors";
import type { PlatformOperation, PlatformResult } from "../platforms/types";
import { completeAuditEvent, recordAudit } from "./audit-ledger";

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

export interface CreateInput {
  campaign: CampaignRecord;
  authority: AuthorityBlock;
  decision: "dispatch" | "queue";
  verdict: { id: string; data: Record<string, unknown> };
  jobId: string;
  meta: RequestMeta;
}

type AttemptPlan =
  | { proceed: false; reason: string }
  | { proceed: true; attempt: number; operation: PlatformOperation; adAccountId: string; sandbox: boolean };

export type AttemptOutcome =
  | { next: "done" }
  | { next: "retry"; delaySeconds: number }
  | { next: "dead_letter" };

type OutboxEntry =
  | { type: "project"; campaign: boolean; jobIds: string[]; pendingIds: string[] }
  | { type: "audit"; events: AuditEvent[] }
  | { type: "enqueue"; message: DispatchMessage; delaySeconds: number };

interface Changes {
  campaign?: boolean;
  authority?: boolean;
  jobs?: JobRecord[];
  pending?: PendingRecord[];
  audit?: AuditEvent[];
  enqueue?: { message: DispatchMessage; delaySeconds?: number }[];
}

/** How long a running job may go without progress before the watchdog acts (default). */
const DEFAULT_STALL_MS = 10 * 60 * 1000;
/** No job stays running longer than this; then it fails. */
const JOB_DEADLINE_MS = 24 * 60 * 60 * 1000;
const OUTBOX_RETRY_MS = 2_000;
/** Settled jobs and pending actions stay in the object this long, then live on in D1 only. */
const HISTORY_KEPT_MS = 30 * 24 * 60 * 60 * 1000;

const fail = (code: ErrorCode, message: string, details?: Record<string, unknown>): Failure => ({
  ok: false,
  code,
  message,
  ...(details ? { details } : {}),
});

const notFound = () => fail("NOT_FOUND", "Campaign not found.");

export class CampaignObject extends DurableObject<Env> {
  private campaign: CampaignRecord | null = null;
  private authority: AuthorityState | null = null;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly pending = new Map<string, PendingRecord>();
  private stateVersion = 0;
  private outbox: OutboxEntry[] = [];
  private outboxFailedAt: number | null = null;
  private delivery: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  private load(): void {
    const kv = this.ctx.storage.kv;
    this.campaign = kv.get<CampaignRecord>("campaign") ?? null;
    this.authority = kv.get<AuthorityState>("authority") ?? null;
    this.stateVersion = kv.get<number>("version") ?? 0;
    this.outbox = kv.get<OutboxEntry[]>("outbox") ?? [];
    for (const [, job] of kv.list<JobRecord>({ prefix: "job:" })) this.jobs.set(job.id, job);
    for (const [, item] of kv.list<PendingRecord>({ prefix: "pending:" })) this.pending.set(item.id, item);
  }

  // ---------------------------------------------------------------- reads

  /**
   * The effective authority block. A pinned block needs no layer; for an unpinned campaign
   * called without the layer, `view` is null: read the layer and ask again.
   */
  getAuthority(scope: CampaignScope, layer: LayerSnapshot | null): Result<{ view: AuthorityView | null }> {
    const found = this.inScope(scope);
    if (!found) return notFound();
    return { ok: true, view: this.authorityView(found, layer) };
  }

  /** The campaign as it is now, with its authority state: reads never trail a write. */
  read(scope: CampaignScope): Result<{ campaign: CampaignRecord; authority: AuthorityState }> {
    const found = this.inScope(scope);
    if (!found || !this.authority) return notFound();
    return { ok: true, campaign: found, authority: this.authority };
  }

  /** Import or re-sync from the platform; connections/import-model plans it, authority stays as it is. */
  async syncFromPlatform(input: ImportInput): Promise<ImportOutcome> {
    const writeInFlight = [...this.jobs.values()].some(
      (j) => j.status === "running" && j.stage !== "awaiting_approval",
    );
    const plan = planImport(this.campaign, input, writeInFlight);
    if (!plan.campaign) return plan.outcome;
    this.campaign = plan.campaign;
    this.authority ??= plan.authority;
    const audit = plan.events.map((e) => this.systemEvent(e.eventType, e.data));
    await this.commit({ campaign: true, authority: plan.outcome === "created", audit });
    return plan.outcome;
  }

  // ---------------------------------------------------------------- create

  async create(input: CreateInput): Promise<Result<{ accepted: WriteAccepted }>> {
    if (this.campaign) {
      const job = this.jobs.get(input.jobId);
      if (this.campaign.id === input.campaign.id && job) return { ok: true, accepted: this.accepted(job) };
      return fail("CONFLICT", "This campaign already exists.");
    }
    const now = input.campaign.createdAt;
    const queued = input.decision === "queue";
    const campaign: CampaignRecord = { ...input.campaign, status: queued ? "awaiting_approval" : "pending" };
    this.campaign = campaign;
    this.authority = {
      block: input.authority,
      version: 1,
      lastModifiedAt: now,
      lastModifiedBy: input.meta.actor,
    };
    const job = this.newJob(
      "create_campaign",
      input.jobId,
      input.verdict.id,
      campaignValue(campaign),
      input.meta,
      now,
    );
    const pending = queued ? this.newPending(job, null, now, input.meta.actor) : null;
    const audit = [
      this.event(input.meta, "verdict", input.verdict.data, input.verdict.id, now),
      this.event(input.meta, "campaign.created", {
        campaignId: campaign.id,
        platform: campaign.platform,
        authority: input.authority,
        jobId: job.id,
        ...(pending ? { pendingId: pending.id } : {}),
      }),
    ];
    await this.commit({
      campaign: true,
      authority: true,
      jobs: [job],
      pending: pending ? [pending] : [],
      audit,
      enqueue: queued ? [] : [{ message: this.message(job) }],
    });
    return { ok: true, accepted: this.accepted(job) };
  }

  // ---------------------------------------------------------------- authority

  async patchAuthority(input: {
    scope: CampaignScope;
    requested: Partial<AuthorityBlock>;
    ifMatch: string | null;
    layer: LayerSnapshot;
    verdictId: string;
    meta: RequestMeta;
  }): Promise<Result<{ campaignId: string; authority: AuthorityBlock; verdictId: string; etag: string }>> {
    const campaign = this.inScope(input.scope);
    if (!campaign || !this.authority) return notFound();
    const current = this.authorityView(campaign, input.layer);
    if (input.ifMatch !== null && !ifMatchHolds(input.ifMatch, current.etag)) {
      return fail(
        "PRECONDITION_FAILED",
        "The authority block changed since you read it (If-Match is stale).",
        {
          currentETag: current.etag,
        },
      );
    }
    const decision = evaluateAuthorityChange({
      actorType: input.meta.actor.actorType,
      requested: input.requested,
      layerDefaults: input.layer.defaults,
      layer: input.layer.controls,
    });
    const now = new Date().toISOString();
    const verdictData = {
      action: "update_authority",
      campaignId: campaign.id,
      decision: decision.decision === "allow" ? "allow" : "deny",
      requestedAuthority: input.requested,
      currentAuthority: current.authority,
      ceiling: input.layer.defaults,
      ...(decision.decision === "deny" ? { reason: decision.reason, axis: decision.axis } : {}),
    };
    if (decision.decision === "deny") {
      await this.commit({ audit: [this.event(input.meta, "verdict", verdictData, input.verdictId, now)] });
      const { decision: _d, ...details } = decision;
      return fail("AUTHORITY_DENIED", denialMessage(decision.reason), {
        verdictId: input.verdictId,
        ...details,
      });
    }
    const next: AuthorityBlock = { ...current.authority, ...input.requested };
    this.authority = {
      block: next,
      version: this.authority.version + 1,
      lastModifiedAt: now,
      lastModifiedBy: input.meta.actor,
    };
    campaign.updatedAt = now;
    await this.commit({
      campaign: true,
      authority: true,
      audit: [
        this.event(input.meta, "verdict", verdictData, input.verdictId, now),
        this.event(
          input.meta,
          "authority.changed",
          {
            campaignId: campaign.id,
            previous: current.authority,
            previousSource: current.source,
            next,
            version: this.authority.version,
          },
          input.verdictId,
          now,
        ),
      ],
    });
    return {
      ok: true,
      campaignId: campaign.id,
      authority: next,
      verdictId: input.verdictId,
      etag: this.authorityView(campaign, input.layer).etag,
    };
  }

  // ---------------------------------------------------------------- gated writes

  async requestAction(input: {
    scope: CampaignScope;
    action: Exclude<ActionType, "create_campaign">;
    value: ActionValue;
    layer: LayerSnapshot;
    verdictId: string;
    jobId: string;
    meta: RequestMeta;
  }): Promise<Result<{ accepted: WriteAccepted }>> {
    const campaign = this.inScope(input.scope);
    if (!campaign || !this.authority) return notFound();
    const prior = this.jobs.get(input.jobId);
    if (prior) return { ok: true, accepted: this.accepted(prior) };
    if (campaign.status === "deleted" || this.deleteInFlight()) {
      return fail("CONFLICT", "This campaign is deleted.", { status: "deleted" });
    }
    // State conflicts come before the gate: no gate decision is made (nor recorded) for them.
    const blocked = this.actionBlocker(campaign, input.action, input.value);
    if (blocked) return blocked;
    const axis = ACTION_AXIS[input.action];
    const authority = this.authority.block ?? input.layer.defaults;
    const decision = evaluateWrite({
      actorType: input.meta.actor.actorType,
      axis,
      authority,
      layer: input.layer.controls,
    });
    const now = new Date().toISOString();
    const verdictData: Record<string, unknown> = {
      action: input.action,
      campaignId: campaign.id,
      decision: decision.decision === "dispatch" ? "allow" : decision.decision,
      axis,
      currentMode: decision.currentMode,
      newValue: input.value,
      ...(decision.decision === "deny" ? { reason: decision.reason } : {}),
    };
    if (decision.decision === "deny") {
      await this.commit({ audit: [this.event(input.meta, "verdict", verdictData, input.verdictId, now)] });
      return fail(
        "AUTHORITY_DENIED",
        `The campaign's ${axis} axis refuses this write: ${denialMessage(decision.reason)}`,
        { verdictId: input.verdictId, axis, currentMode: decision.currentMode, reason: decision.reason },
      );
    }

    const job = this.newJob(input.action, input.jobId, input.verdictId, input.value, input.meta, now);
    const audit = [this.event(input.meta, "verdict", verdictData, input.verdictId, now)];
    if (this.isNoop(campaign, input.action, input.value)) {
      Object.assign(job, { status: "completed", stage: null, finishedAt: now });
      if (campaign.platformCampaignId) job.result = { platformCampaignId: campaign.platformCampaignId };
      audit.push(this.event(input.meta, "job.completed", { jobId: job.id, kind: job.kind, noop: true }));
      await this.commit({ jobs: [job], audit });
      return { ok: true, accepted: this.accepted(job) };
    }
    if (decision.decision === "queue") {
      const pending = this.newPending(job, this.currentValue(campaign, input.action), now, input.meta.actor);
      audit.push(
        this.event(input.meta, "pending.created", {
          pendingId: pending.id,
          actionType: input.action,
          campaignId: campaign.id,
          currentValue: pending.currentValue,
          newValue: pending.newValue,
        }),
      );
      await this.commit({ jobs: [job], pending: [pending], audit });
      return { ok: true, accepted: this.accepted(job) };
    }
    await this.commit({ jobs: [job], audit, enqueue: [{ message: this.message(job) }] });
    return { ok: true, accepted: this.accepted(job) };
  }

  // ---------------------------------------------------------------- pending actions

  async decidePending(input: {
    scope: CampaignScope;
    pendingId: string;
    decision: "approve" | "reject";
    note: string | null;
    layer: LayerSnapshot;
    verdictId: string;
    meta: RequestMeta;
  }): Promise<
    Result<{
      pendingId: string;
      status: "approved" | "rejected";
      dispatched: false;
      dispatchedAt: null;
      verdictId: string;
      jobId: string;
    }>
  > {
    const campaign = this.inScope(input.scope);
    const item = this.pending.get(input.pendingId);
    if (!campaign || !item) return fail("NOT_FOUND", "Pending action not found.");
    const now = new Date();
    if (item.status === "pending" && Date.parse(item.expiresAt) <= now.getTime()) await this.expireDue(now);
    if (item.status !== "pending") {
      return fail("CONFLICT", `This pending action is already ${item.status}.`, { status: item.status });
    }
    const job = this.jobs.get(item.jobId);
    if (!job) return fail("CONFLICT", "The job of this pending action is gone.");
    const at = now.toISOString();
    const currentNow = this.currentValue(campaign, item.actionType);
    const decisionData = {
      action: `${input.decision}_pending`,
      pendingId: item.id,
      actionType: item.actionType,
      campaignId: campaign.id,
      currentValueWhenQueued: item.currentValue,
      currentValueNow: currentNow,
      newValue: item.newValue,
      ...(input.note ? { note: input.note } : {}),
    };
    if (input.decision === "approve") {
      // Releasing a queued write is itself a write: the kill switch stops everyone, and a
      // partner may only approve while the customer has partner writes enabled.
      const controls = input.layer.controls;
      const reason = controls.killSwitchActive
        ? "kill_switch_active"
        : input.meta.actor.actorType === "partner" && !controls.partnerWritesEnabled
          ? "partner_writes_disabled"
          : null;
      if (reason) {
        await this.commit({
          audit: [
            this.event(
              input.meta,
              "verdict",
              { ...decisionData, decision: "deny", reason },
              input.verdictId,
              at,
            ),
          ],
        });
        return fail("AUTHORITY_DENIED", denialMessage(reason), {
          verdictId: input.verdictId,
          axis: ACTION_AXIS[item.actionType],
          reason,
        });
      }
      if (campaign.status === "deleted" && item.actionType !== "delete_campaign") {
        return fail("CONFLICT", "This campaign is deleted.", { status: "deleted" });
      }
    }
    Object.assign(item, { decidedAt: at, decidedBy: input.meta.actor, decisionNote: input.note });
    const audit = [
      this.event(input.meta, "verdict", { ...decisionData, decision: "allow" }, input.verdictId, at),
      this.event(
        input.meta,
        input.decision === "approve" ? "pending.approved" : "pending.rejected",
        decisionData,
        input.verdictId,
        at,
      ),
    ];
    if (input.decision === "approve") {
      item.status = "approved";
      Object.assign(job, { stage: "queued", updatedAt: at, generation: job.generation + 1 });
      if (item.actionType === "create_campaign")
        Object.assign(campaign, { status: "pending", updatedAt: at });
      await this.commit({
        campaign: true,
        jobs: [job],
        pending: [item],
        audit,
        enqueue: [{ message: this.message(job) }],
      });
    } else {
      item.status = "rejected";
      this.finishJob(job, "canceled", at, { code: "CANCELED", message: "The pending action was rejected." });
      if (item.actionType === "create_campaign")
        Object.assign(campaign, { status: "rejected", updatedAt: at });
      await this.commit({ campaign: true, jobs: [job], pending: [item], audit });
    }
    return {
      ok: true,
      pendingId: item.id,
      status: item.status,
      dispatched: false,
      dispatchedAt: null,
      verdictId: input.verdictId,
      jobId: job.id,
    };
  }

  /** Expires every pending action past its time: status `expired`, its job canceled. */
  async expireDue(now = new Date()): Promise<number> {
    const campaign = this.campaign;
    if (!campaign) return 0;
    const at = now.toISOString();
    const expired: PendingRecord[] = [];
    const jobs: JobRecord[] = [];
    const audit: AuditEvent[] = [];
    for (const item of this.pending.values()) {
      if (item.status !== "pending" || Date.parse(item.expiresAt) > now.getTime()) continue;
      Object.assign(item, { status: "expired", decidedAt: at });
      expired.push(item);
      const job = this.jobs.get(item.jobId);
      if (job && job.status === "running") {
        this.finishJob(job, "canceled", at, {
          code: "EXPIRED",
          message: "The pending action expired unapproved.",
        });
        jobs.push(job);
      }
      if (item.actionType === "create_campaign")
        Object.assign(campaign, { status: "rejected", updatedAt: at });
      audit.push(
        this.systemEvent(
          "pending.expired",
          { pendingId: item.id, actionType: item.actionType, jobId: item.jobId },
          at,
        ),
      );
    }
    if (expired.length > 0) await this.commit({ campaign: true, pending: expired, jobs, audit });
    return expired.length;
  }

  // ---------------------------------------------------------------- dispatch (queue consumer)

  /** Runs one dispatch attempt of the message's job, if it is still due. */
  async runAttempt(message: DispatchMessage): Promise<AttemptOutcome> {
    const plan = await this.beginAttempt(message);
    if (!plan.proceed) return { next: "done" };
    const result = await executeOnPlatform(this.env, {
      jobId: message.jobId,
      attempt: plan.attempt,
      adAccountId: plan.adAccountId,
      operation: plan.operation,
      sandbox: plan.sandbox,
    });
    return this.completeAttempt(message.jobId, plan.attempt, result);
  }

  private async beginAttempt(message: DispatchMessage): Promise<AttemptPlan> {
    const campaign = this.campaign;
    const job = this.jobs.get(message.jobId);
    if (!campaign || !job) return { proceed: false, reason: "unknown job" };
    if (job.status !== "running") return { proceed: false, reason: `job is ${job.status}` };
    if (job.stage === "awaiting_approval") return { proceed: false, reason: "awaiting approval" };
    if (message.generation !== job.generation) return { proceed: false, reason: "superseded message" };
    const operation = this.operationFor(campaign, job);
    if (!operation) {
      // Nothing exists on the platform to act on (its create failed): settle locally.
      const now = new Date().toISOString();
      this.applyJobSuccess(campaign, job, now);
      await this.commit({ campaign: true, jobs: [job], audit: [this.jobEvent(job, "job.completed", {})] });
      return { proceed: false, reason: "settled without the platform" };
    }
    job.attempts += 1;
    Object.assign(job, { stage: "dispatching", updatedAt: new Date().toISOString(), nextAttemptAt: null });
    await this.commit({ jobs: [job] });
    return {
      proceed: true,
      attempt: job.attempts,
      operation,
      adAccountId: campaign.adAccountId,
      sandbox: job.sandbox,
    };
  }

  private async completeAttempt(
    jobId: string,
    attempt: number,
    result: PlatformResult,
  ): Promise<AttemptOutcome> {
    const campaign = this.campaign;
    const job = this.jobs.get(jobId);
    if (!campaign || !job || job.status !== "running" || job.attempts !== attempt) return { next: "done" };
    const now = new Date().toISOString();
    if (result.ok) {
      if (job.actionType === "create_campaign") campaign.platformCampaignId = result.platformCampaignId;
      this.applyJobSuccess(campaign, job, now);
      await this.commit({
        campaign: true,
        jobs: [job],
        pending: this.pendingOf(job, { status: "dispatched", dispatchedAt: now }),
        audit: [this.jobEvent(job, "job.completed", { attempts: job.attempts, result: job.result })],
      });
      return { next: "done" };
    }
    const retryIn =
      result.kind === "transient"
        ? nextRetryDelay(dispatchConfig(this.env), attempt, result.retryAfterMs)
        : null;
    if (retryIn !== null) {
      Object.assign(job, {
        stage: "retrying",
        updatedAt: now,
        nextAttemptAt: new Date(Date.now() + retryIn * 1000).toISOString(),
        error: { code: "PLATFORM_ERROR", message: result.message, platformCode: result.platformCode },
      });
      await this.commit({
        jobs: [job],
        audit: [
          this.jobEvent(job, "job.retrying", {
            attempt,
            delaySeconds: retryIn,
            message: result.message,
            platformCode: result.platformCode ?? null,
          }),
        ],
      });
      return { next: "retry", delaySeconds: retryIn };
    }
    const error: JobError =
      result.kind !== "transient"
        ? {
            code: result.kind === "auth" ? "PLATFORM_AUTH" : "PLATFORM_REJECTED",
            message: result.message,
            ...(result.platformCode ? { platformCode: result.platformCode } : {}),
          }
        : {
            code: "PLATFORM_ERROR",
            message: `Gave up after ${attempt} attempts: ${result.message}`,
            ...(result.platformCode ? { platformCode: result.platformCode } : {}),
          };
    await this.failJob(job, error, now);
    return { next: result.kind === "transient" ? "dead_letter" : "done" };
  }

  /** From the dead-letter consumer: a message could not be processed; make sure its job ends. */
  async abandonJob(jobId: string, reason: string): Promise<boolean> {
    const job = this.jobs.get(jobId);
    if (!this.campaign || !job || job.status !== "running") return false;
    await this.failJob(job, { code: "PLATFORM_ERROR", message: reason }, new Date().toISOString());
    return true;
  }

  // ---------------------------------------------------------------- alarm

  override async alarm(): Promise<void> {
    await this.deliver();
    await this.expireDue();
    await this.superviseJobs();
    this.forgetSettledHistory();
    this.scheduleAlarm();
  }

  /**
   * Drops jobs and pending actions settled long ago from this object's memory and storage, so
   * a long-lived campaign stays small; D1 keeps them for reads and the audit log for history.
   * Only once their D1 copies have been delivered (the outbox is empty).
   */
  private forgetSettledHistory(now = Date.now()): void {
    if (this.outbox.length > 0) return;
    const settledBefore = now - HISTORY_KEPT_MS;
    const kv = this.ctx.storage.kv;
    for (const job of [...this.jobs.values()]) {
      if (job.status === "running" || !job.finishedAt || Date.parse(job.finishedAt) > settledBefore) continue;
      this.jobs.delete(job.id);
      kv.delete(`job:${job.id}`);
    }
    for (const item of [...this.pending.values()]) {
      if (this.jobs.has(item.jobId) || item.status === "pending" || item.status === "approved") continue;
      this.pending.delete(item.id);
      kv.delete(`pending:${item.id}`);
    }
  }

  /** Re-sends messages for jobs that stopped making progress; fails jobs past their deadline. */
  private async superviseJobs(): Promise<void> {
    const now = Date.now();
    const jobs: JobRecord[] = [];
    const enqueue: { message: DispatchMessage }[] = [];
    for (const job of this.jobs.values()) {
      if (job.status !== "running" || job.stage === "awaiting_approval") continue;
      if (now - Date.parse(job.startedAt) > JOB_DEADLINE_MS) {
        await this.failJob(
          job,
          { code: "PLATFORM_ERROR", message: "The job did not finish within its deadline." },
          new Date(now).toISOString(),
        );
        continue;
      }
      const due = job.nextAttemptAt ? Date.parse(job.nextAttemptAt) : Date.parse(job.updatedAt);
      if (now - due > this.stallMs()) {
        Object.assign(job, { generation: job.generation + 1, updatedAt: new Date(now).toISOString() });
        jobs.push(job);
        enqueue.push({ message: this.message(job) });
      }
    }
    if (jobs.length > 0) await this.commit({ jobs, enqueue });
  }

  // ---------------------------------------------------------------- internals

  private stallMs(): number {
    const seconds = Number(this.env.DISPATCH_STALL_SECONDS);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_STALL_MS;
  }

  private inScope(scope: CampaignScope): CampaignRecord | null {
    const c = this.campaign;
    if (!c || c.organizationId !== scope.organizationId || c.projectId !== scope.projectId) return null;
    return c.platform === scope.platform ? c : null;
  }

  private authorityView(campaign: CampaignRecord, layer: LayerSnapshot): AuthorityView;
  private authorityView(campaign: CampaignRecord, layer: LayerSnapshot | null): AuthorityView | null;
  private authorityView(campaign: CampaignRecord, layer: LayerSnapshot | null): AuthorityView | null {
    const state = this.authority as AuthorityState;
    const base = {
      campaignId: campaign.id,
      platform: campaign.platform,
      lastModifiedAt: state.lastModifiedAt,
      lastModifiedBy: state.lastModifiedBy,
    };
    if (state.block)
      return { ...base, authority: state.block, source: "per_campaign", etag: `"a${state.version}"` };
    if (!layer) return null;
    return {
      ...base,
      authority: layer.defaults,
      source: "layer_defaults",
      etag: `"a${state.version}.l${layer.version}"`,
    };
  }

  /** A delete on its way to the platform (not one waiting for approval). */
  private deleteInFlight(): boolean {
    for (const job of this.jobs.values()) {
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

  /** Why this action cannot be taken now, given where the campaign is. */
  private actionBlocker(campaign: CampaignRecord, action: ActionType, value: ActionValue): Failure | null {
    if (campaign.status === "pending" || campaign.status === "awaiting_approval") {
      return fail("CONFLICT", "The campaign is not on the platform yet; wait for its create job.", {
        status: campaign.status,
      });
    }
    if ((campaign.status === "failed" || campaign.status === "rejected") && action !== "delete_campaign") {
      return fail(
        "CONFLICT",
        `The campaign's create ${campaign.status === "failed" ? "failed" : "was rejected"}.`,
        {
          status: campaign.status,
        },
      );
    }
    if (action === "update_budget") {
      const budget = value as BudgetValue;
      if (budget.dailyBudgetCents !== undefined && campaign.dailyBudgetCents === null) {
        return fail("VALIDATION", "This campaign has a lifetime budget; its budget kind cannot change.", {
          issues: [
            { location: "body", path: "dailyBudgetCents", message: "The campaign has a lifetime budget." },
          ],
        });
      }
      if (budget.lifetimeBudgetCents !== undefined && campaign.lifetimeBudgetCents === null) {
        return fail("VALIDATION", "This campaign has a daily budget; its budget kind cannot change.", {
          issues: [
            { location: "body", path: "lifetimeBudgetCents", message: "The campaign has a daily budget." },
          ],
        });
      }
    }
    return null;
  }

  private isNoop(campaign: CampaignRecord, action: ActionType, value: ActionValue): boolean {
    switch (action) {
      case "pause_campaign":
        return campaign.status === "paused";
      case "resume_campaign":
        return campaign.status === "active";
      case "delete_campaign":
        return false;
      case "update_budget": {
        const budget = value as BudgetValue;
        return (
          (budget.dailyBudgetCents ?? campaign.dailyBudgetCents) === campaign.dailyBudgetCents &&
          (budget.lifetimeBudgetCents ?? campaign.lifetimeBudgetCents) === campaign.lifetimeBudgetCents
        );
      }
      case "create_campaign":
        return false;
    }
  }

  private currentValue(campaign: CampaignRecord, action: ActionType): ActionValue | null {
    switch (action) {
      case "update_budget":
        return campaign.dailyBudgetCents !== null
          ? { dailyBudgetCents: campaign.dailyBudgetCents }
          : { lifetimeBudgetCents: campaign.lifetimeBudgetCents ?? 0 };
      case "create_campaign":
        return null;
      default:
        return { status: campaign.status };
    }
  }

  private operationFor(campaign: CampaignRecord, job: JobRecord): PlatformOperation | null {
    const spec = {
      campaignId: campaign.id,
      name: campaign.name,
      outcome: campaign.outcome,
      dailyBudgetCents: campaign.dailyBudgetCents,
      lifetimeBudgetCents: campaign.lifetimeBudgetCents,
      startTime: campaign.startTime,
      endTime: campaign.endTime,
      bidStrategy: campaign.bidStrategy,
      targeting: campaign.targeting,
      platformSettings: campaign.platformSettings,
    };
    if (job.actionType === "create_campaign") return { type: "create_campaign", campaign: spec };
    const platformCampaignId = campaign.platformCampaignId;
    if (!platformCampaignId) return null;
    if (job.actionType === "update_budget") {
      return { type: "update_budget", campaign: spec, platformCampaignId, ...(job.newValue as BudgetValue) };
    }
    return { type: job.actionType, campaign: spec, platformCampaignId };
  }

  private applyJobSuccess(campaign: CampaignRecord, job: JobRecord, now: string): void {
    if (job.actionType === "update_budget") {
      const budget = job.newValue as BudgetValue;
      if (budget.dailyBudgetCents !== undefined) campaign.dailyBudgetCents = budget.dailyBudgetCents;
      if (budget.lifetimeBudgetCents !== undefined) campaign.lifetimeBudgetCents = budget.lifetimeBudgetCents;
    }
    campaign.status = statusAfter(job.actionType, campaign.status);
    campaign.updatedAt = now;
    this.finishJob(job, "completed", now, null);
    if (campaign.platformCampaignId) job.result = { platformCampaignId: campaign.platformCampaignId };
  }

  private async failJob(job: JobRecord, error: JobError, now: string): Promise<void> {
    const campaign = this.campaign as CampaignRecord;
    this.finishJob(job, "failed", now, error);
    if (job.actionType === "create_campaign") Object.assign(campaign, { status: "failed", updatedAt: now });
    await this.commit({
      campaign: true,
      jobs: [job],
      pending: this.pendingOf(job, { status: "dispatch_failed", dispatchFailureReason: error.message }),
      audit: [this.jobEvent(job, "job.failed", { attempts: job.attempts, error })],
    });
  }

  private finishJob(
    job: JobRecord,
    status: "completed" | "failed" | "canceled",
    now: string,
    error: JobError | null,
  ) {
    Object.assign(job, { status, stage: null, finishedAt: now, updatedAt: now, nextAttemptAt: null, error });
  }

  private pendingOf(job: JobRecord, update: Partial<PendingRecord>): PendingRecord[] {
    const item = job.pendingId ? this.pending.get(job.pendingId) : undefined;
    if (item?.status !== "approved") return [];
    Object.assign(item, update);
    return [item];
  }

  private newJob(
    action: ActionType,
    id: string,
    verdictId: string,
    value: ActionValue,
    meta: RequestMeta,
    now: string,
  ): JobRecord {
    return {
      id,
      kind: JOB_KIND[action],
      actionType: action,
      newValue: value,
      status: "running",
      stage: "queued",
      attempts: 0,
      pendingId: null,
      verdictId,
      generation: 1,
      sandbox: meta.sandbox,
      requestedBy: meta.actor,
      requestId: meta.requestId,
      result: null,
      error: null,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
      nextAttemptAt: null,
    };
  }

  private newPending(
    job: JobRecord,
    currentValue: ActionValue | null,
    now: string,
    actor: ActorRef,
  ): PendingRecord {
    const campaign = this.campaign as CampaignRecord;
    const item: PendingRecord = {
      id: newId("pendingAction"),
      actionType: job.actionType,
      jobId: job.id,
      entityType: "campaign",
      entityId: campaign.id,
      entityName: campaign.name,
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

  private accepted(job: JobRecord): WriteAccepted {
    return {
      jobId: job.id,
      verdictId: job.verdictId,
      status: job.status,
      ...(job.pendingId ? { pendingId: job.pendingId } : {}),
    };
  }

  private message(job: JobRecord): DispatchMessage {
    return { jobId: job.id, campaignId: (this.campaign as CampaignRecord).id, generation: job.generation };
  }

  private event(
    meta: RequestMeta,
    eventType: string,
    data: Record<string, unknown>,
    verdictId: string | null = null,
    occurredAt?: string,
  ): AuditEvent {
    const campaign = this.campaign as CampaignRecord;
    return completeAuditEvent({
      eventType,
      requestId: meta.requestId,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      apiKeyId: meta.actor.actorApiKeyId,
      actorType: meta.actor.actorType,
      verdictId,
      data,
      ...(occurredAt ? { occurredAt } : {}),
    });
  }

  private systemEvent(eventType: string, data: Record<string, unknown>, occurredAt?: string): AuditEvent {
    const campaign = this.campaign as CampaignRecord;
    return completeAuditEvent({
      eventType,
      requestId: null,
      organizationId: campaign.organizationId,
      projectId: campaign.projectId,
      apiKeyId: null,
      actorType: "system",
      verdictId: null,
      data: { campaignId: campaign.id, ...data },
      ...(occurredAt ? { occurredAt } : {}),
    });
  }

  private jobEvent(job: JobRecord, eventType: string, data: Record<string, unknown>): AuditEvent {
    return this.systemEvent(eventType, { jobId: job.id, kind: job.kind, ...data });
  }

  /**
   * Commits a change: records and the outbox in one storage transaction, then delivers the
   * outbox (before answering, or right after: OUTBOX_DELIVERY). Delivery failures are
   * retried by the alarm; the change itself is already durable.
   */
  private async commit(changes: Changes): Promise<void> {
    const campaign = this.campaign;
    if (!campaign) throw new Error("commit before the campaign exists");
    this.stateVersion += 1;
    for (const job of changes.jobs ?? []) this.jobs.set(job.id, job);
    for (const item of changes.pending ?? []) this.pending.set(item.id, item);
    const entries: OutboxEntry[] = [];
    const jobIds = (changes.jobs ?? []).map((j) => j.id);
    const pendingIds = (changes.pending ?? []).map((p) => p.id);
    if (changes.campaign || changes.authority || jobIds.length || pendingIds.length) {
      entries.push({
        type: "project",
        campaign: Boolean(changes.campaign || changes.authority),
        jobIds,
        pendingIds,
      });
    }
    if (changes.audit?.length) entries.push({ type: "audit", events: changes.audit });
    for (const e of changes.enqueue ?? []) {
      entries.push({ type: "enqueue", message: e.message, delaySeconds: e.delaySeconds ?? 0 });
    }
    this.outbox.push(...entries);
    const kv = this.ctx.storage.kv;
    this.ctx.storage.transactionSync(() => {
      kv.put("version", this.stateVersion);
      if (changes.campaign) kv.put("campaign", campaign);
      if (changes.authority) kv.put("authority", this.authority);
      for (const job of changes.jobs ?? []) kv.put(`job:${job.id}`, job);
      for (const item of changes.pending ?? []) kv.put(`pending:${item.id}`, item);
      kv.put("outbox", this.outbox);
    });
    this.scheduleAlarm();
    if (deliverBeforeAnswering(this.env)) {
      await this.deliver();
    } else {
      // The change is durable: answer now, deliver right after; the alarm set above retries.
      this.ctx.waitUntil(this.deliver());
    }
  }

  /** Delivers the outbox, one delivery at a time; what fails stays for the alarm. */
  private deliver(): Promise<void> {
    const run = this.delivery.then(() => this.deliverOnce());
    this.delivery = run.catch(() => undefined);
    return run;
  }

  private async deliverOnce(): Promise<void> {
    const entries = [...this.outbox];
    if (entries.length === 0) return;
    const campaign = this.campaign as CampaignRecord;
    const projections = entries.filter(
      (e): e is Extract<OutboxEntry, { type: "project" }> => e.type === "project",
    );
    const audits = entries.filter((e): e is Extract<OutboxEntry, { type: "audit" }> => e.type === "audit");
    const sends = entries.filter((e): e is Extract<OutboxEntry, { type: "enqueue" }> => e.type === "enqueue");
    // The three destinations are independent: deliver them side by side, keep what failed.
    const stages: [string, OutboxEntry[], () => Promise<unknown>][] = [
      ["d1", projections, () => this.writeProjections(projections)],
      [
        "audit",
        audits,
        () =>
          recordAudit(
            this.env,
            audits.flatMap((e) => e.events).map((e) => ({ ...e, organizationId: campaign.organizationId })),
          ),
      ],
      [
        "queue",
        sends,
        () =>
          this.env.DISPATCH_QUEUE.sendBatch(
            sends.map((e) => ({
              body: e.message,
              ...(e.delaySeconds > 0 ? { delaySeconds: e.delaySeconds } : {}),
            })),
          ),
      ],
    ];
    const pending = stages.filter(([, items]) => items.length > 0);
    const results = await Promise.allSettled(pending.map(([, , deliver]) => deliver()));
    const delivered = new Set<OutboxEntry>();
    const failures: string[] = [];
    results.forEach((result, i) => {
      const [name, items] = pending[i] as (typeof stages)[number];
      if (result.status === "fulfilled") for (const e of items) delivered.add(e);
      else failures.push(`${name}: ${String(result.reason)}`);
    });
    this.outbox = this.outbox.filter((e) => !delivered.has(e));
    this.ctx.storage.kv.put("outbox", this.outbox);
    this.outboxFailedAt = failures.length > 0 ? Date.now() : null;
    if (failures.length > 0) {
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "outbox delivery deferred to alarm",
          campaignId: campaign.id,
          failures,
        }),
      );
    }
  }

  private async writeProjections(entries: Extract<OutboxEntry, { type: "project" }>[]): Promise<void> {
    const campaign = this.campaign as CampaignRecord;
    const authority = this.authority as AuthorityState;
    const orm = drizzle(this.env.DB);
    const jobIds = new Set(entries.flatMap((e) => e.jobIds));
    const pendingIds = new Set(entries.flatMap((e) => e.pendingIds));
    const version = this.stateVersion;
    // The campaign row goes first so the rows that point at it never precede it.
    const statements = [
      campaignUpsert(orm, campaign, authority, version),
      ...[...jobIds].flatMap((id) => {
        const job = this.jobs.get(id);
        return job ? [jobUpsert(orm, campaign, job, version)] : [];
      }),
      ...[...pendingIds].flatMap((id) => {
        const item = this.pending.get(id);
        return item ? [pendingUpsert(orm, campaign, item, version)] : [];
      }),
    ];
    await orm.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
  }

  /** The next moment something is due: outbox redelivery, a pending expiry, a stalled job. */
  private scheduleAlarm(): void {
    const times: number[] = [];
    if (this.outbox.length > 0) times.push((this.outboxFailedAt ?? Date.now()) + OUTBOX_RETRY_MS);
    for (const item of this.pending.values()) {
      if (item.status === "pending") times.push(Date.parse(item.expiresAt));
    }
    for (const job of this.jobs.values()) {
      if (job.status !== "running") {
        if (job.finishedAt) times.push(Date.parse(job.finishedAt) + HISTORY_KEPT_MS);
        continue;
      }
      if (job.stage === "awaiting_approval") continue;
      const due = job.nextAttemptAt ? Date.parse(job.nextAttemptAt) : Date.parse(job.updatedAt);
      times.push(due + this.stallMs() + 1000);
    }
    if (times.length === 0) return;
    void this.ctx.storage.setAlarm(Math.min(...times));
  }
}

/** `before_response` waits for D1 copies, audit rows and queue sends; `after_response` (default) does not. */
function deliverBeforeAnswering(env: Env): boolean {
  return env.OUTBOX_DELIVERY === "before_response";
}

function campaignValue(c: CampaignRecord): Record<string, unknown> {
  return {
    name: c.name,
    outcome: c.outcome,
    dailyBudgetCents: c.dailyBudgetCents,
    lifetimeBudgetCents: c.lifetimeBudgetCents,
    startTime: c.startTime,
    endTime: c.endTime,
  };
}

export function campaignObject(env: Env, campaignId: string): DurableObjectStub<CampaignObject> {
  return env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(campaignId));
}

/**
 * The campaign as it is now. Workers' RPC types cannot express the `unknown` inside its JSON
 * fields, so the stub's answer is typed as the method's own: structured clone keeps it as is.
 */
export async function readCampaign(
  env: Env,
  campaignId: string,
  scope: CampaignScope,
): Promise<ReturnType<CampaignObject["read"]>> {
  const answer: unknown = await campaignObject(env, campaignId).read(scope);
  return answer as ReturnType<CampaignObject["read"]>;
}
