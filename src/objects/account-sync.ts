/**
 * One object per ad account: the durable owner of its import/sync job. `start` commits the
 * job (one at a time: a second start while one runs answers the running job); the alarm pages
 * through the platform's listing, committing the cursor and each listed campaign's outcome
 * after every page, so a crash or an evicted isolate resumes at the page it was on, and a
 * failed page backs off and is tried again. Campaigns go to their own objects (idempotent:
 * syncing twice creates nothing); after a complete listing the ones it no longer shows are
 * marked deleted. Every state of the job and its audit events leave through an outbox.
 */
import { DurableObject } from "cloudflare:workers";
import { accountEvent } from "../connections/accounts";
import {
  importPage,
  MAX_SYNC_PAGES,
  noteSyncAuthFailure,
  openSync,
  type SeenCampaign,
  type SyncContext,
  sweepVanished,
} from "../connections/import";
import { nextRetryDelay, type RetryPolicy } from "../dispatch/retry-policy";
import type { AuditEvent } from "../domain/audit-chain";
import { type Env, outboxRetryPolicy } from "../env";
import { PlatformFailure } from "../platforms/http";
import { countsOf, liveSyncSinks, type SyncEffect, type SyncJob, type SyncSinks } from "./account-sync/job";
import { completeAuditEvent } from "./audit-ledger";
import { type OutboxEntry, StoredOutbox } from "./layer/outbox";

export type { SyncCounts, SyncJob } from "./account-sync/job";

export interface SyncStart {
  jobId: string;
  reason: SyncJob["reason"];
  account: { id: string; organizationId: string; projectId: string; platform: string };
}

/** A run that dies mid-page is picked up again by the alarm after this long. */
const LEASE_MS = 60_000;
const JOB = "job";
const SEEN = "seen:";

export class AccountSyncObject extends DurableObject<Env> {
  /** Where the outbox delivers; tests replace it to inject failing sinks. */
  sinks: SyncSinks;
  private readonly outbox: StoredOutbox<SyncEffect>;
  private current: SyncJob | null;
  private running: Promise<void> | null = null;
  private delivery: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sinks = liveSyncSinks(env);
    this.outbox = new StoredOutbox(ctx.storage.kv, outboxRetryPolicy(env));
    this.current = ctx.storage.kv.get<SyncJob>(JOB) ?? null;
  }

  /** Starts a sync, or answers the one already running (`existing: true`). */
  async start(input: SyncStart): Promise<{ job: SyncJob; existing: boolean }> {
    if (this.current?.status === "running") return { job: this.current, existing: true };
    const now = new Date().toISOString();
    const { account } = input;
    const job: SyncJob = {
      jobId: input.jobId,
      reason: input.reason,
      organizationId: account.organizationId,
      projectId: account.projectId,
      adAccountId: account.id,
      platform: account.platform,
      status: "running",
      stage: "queued",
      cursor: null,
      listing: "paging",
      pages: 0,
      attempts: 0,
      nextRunAt: Date.now(),
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
      stateVersion: 1,
      result: null,
      error: null,
    };
    this.save(job, [], () => {
      for (const [key] of this.ctx.storage.kv.list({ prefix: SEEN })) this.ctx.storage.kv.delete(key);
    });
    if (this.env.OUTBOX_DELIVERY === "before_response") {
      await this.run();
    } else {
      this.ctx.waitUntil(this.deliverDue(Date.now()));
      await this.schedule();
    }
    return { job: this.current ?? job, existing: false };
  }

  /** The latest job (running or finished). */
  job(): SyncJob | null {
    return this.current;
  }

  override async alarm(): Promise<void> {
    await this.run();
  }

  /** Entries that used up their attempts; an operator requeues one once its cause is fixed. */
  parkedEntries(): OutboxEntry<SyncEffect>[] {
    return this.outbox.parked();
  }

  async requeueParked(id: string): Promise<boolean> {
    const requeued = this.outbox.requeue(id, Date.now());
    if (requeued) await this.run();
    return requeued;
  }

  /** Runs the job as far as it goes now and delivers the outbox; one run at a time. */
  private run(): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.advance();
      } catch (error) {
        this.failedRun(error);
      } finally {
        await this.deliverDue(Date.now());
        await this.schedule();
        this.running = null;
      }
    })();
    return this.running;
  }

  private async advance(): Promise<void> {
    const job = this.current;
    if (job?.status !== "running" || job.nextRunAt > Date.now()) return;
    // A run that dies from here on (isolate evicted, a thrown error) is retried by the alarm.
    await this.ctx.storage.setAlarm(Date.now() + LEASE_MS);
    const sync = await openSync(this.env, job.adAccountId);
    if (!sync) {
      return this.finish({ code: "NOT_CONNECTED", message: "Ad account's platform OAuth not connected." });
    }
    if (job.stage !== "dispatching") this.save({ ...job, stage: "dispatching" });
    // Paging ended before a failure in what follows (the sweep): do not list again.
    if (job.listing !== "paging") return this.complete(sync, job.listing === "complete");
    for (;;) {
      const at = this.current as SyncJob;
      let page: Awaited<ReturnType<SyncContext["connector"]["listCampaigns"]>>;
      try {
        page = await sync.connector.listCampaigns(sync.credential, sync.row, at.cursor);
      } catch (error) {
        if (!(error instanceof PlatformFailure)) throw error;
        return this.pageFailed(sync, error);
      }
      const seen = await importPage(this.env, sync, page.items, new Date().toISOString());
      const pages = at.pages + 1;
      const listing = page.next === null ? "complete" : pages >= MAX_SYNC_PAGES ? "truncated" : "paging";
      const next: SyncJob = { ...at, cursor: page.next, listing, pages, attempts: 0, stage: "dispatching" };
      this.save(next, [], () => this.noteSeen(seen));
      if (listing !== "paging") return this.complete(sync, listing === "complete");
    }
  }

  /** Keeps each listed campaign's first real outcome (a page redone after a crash reads "unchanged"). */
  private noteSeen(seen: SeenCampaign[]): void {
    const kv = this.ctx.storage.kv;
    for (const s of seen) {
      const earlier = kv.get<SeenCampaign>(SEEN + s.platformCampaignId);
      if (!earlier || (earlier.outcome === "unchanged" && s.outcome !== "unchanged"))
        kv.put(SEEN + s.platformCampaignId, s);
    }
  }

  private async complete(sync: SyncContext, listingComplete: boolean): Promise<void> {
    const job = this.current as SyncJob;
    const seen = [...this.ctx.storage.kv.list<SeenCampaign>({ prefix: SEEN })].map(([, s]) => s);
    // Only a complete listing proves a campaign is gone.
    const marked = listingComplete
      ? await sweepVanished(this.env, sync, new Set(seen.map((s) => s.platformCampaignId)), job.startedAt)
      : 0;
    const counts = countsOf(seen, marked, job.pages);
    this.finish(null, counts);
  }

  private async pageFailed(sync: SyncContext, failure: PlatformFailure): Promise<void> {
    const job = this.current as SyncJob;
    const { result } = failure;
    const platformCode = result.platformCode ? { platformCode: result.platformCode } : {};
    if (result.kind === "auth") {
      await noteSyncAuthFailure(this.env, sync, failure);
      return this.finish({ code: "PLATFORM_AUTH", message: result.message, ...platformCode });
    }
    const attempts = job.attempts + 1;
    const delay =
      result.kind === "transient"
        ? nextRetryDelay(
            this.retryPolicy(),
            attempts,
            "retryAfterMs" in result ? result.retryAfterMs : undefined,
          )
        : null;
    if (delay === null)
      return this.finish({ code: "PLATFORM_ERROR", message: result.message, ...platformCode });
    this.save({ ...job, stage: "retrying", attempts, nextRunAt: Date.now() + delay * 1000 });
  }

  /** Something other than the platform failed (D1, a campaign object): back off like a failed page. */
  private failedRun(error: unknown): void {
    console.error(JSON.stringify({ level: "error", msg: "sync run failed", error: String(error) }));
    const job = this.current;
    if (job?.status !== "running") return;
    const attempts = job.attempts + 1;
    const delay = nextRetryDelay(this.retryPolicy(), attempts, undefined);
    if (delay === null) {
      this.finish({ code: "SYNC_ERROR", message: "The sync could not finish." });
      return;
    }
    this.save({ ...job, stage: "retrying", attempts, nextRunAt: Date.now() + delay * 1000 });
  }

  private finish(error: SyncJob["error"], result: SyncJob["result"] = null): void {
    const job = this.current as SyncJob;
    const now = new Date().toISOString();
    const status = error ? "failed" : "completed";
    const done: SyncJob = { ...job, status, stage: null, finishedAt: now, result, error };
    const event = completeAuditEvent(
      accountEvent(
        {
          id: job.adAccountId,
          organizationId: job.organizationId,
          projectId: job.projectId,
          platform: job.platform,
        },
        error ? "ad_account.sync_failed" : "ad_account.synced",
        { jobId: job.jobId, reason: job.reason, ...(result ?? {}), ...(error ? { error } : {}) },
      ),
    );
    this.save(done, [event]);
  }

  /** The job's new state, its D1 copy and its audit events: one storage transaction. */
  private save(job: SyncJob, events: AuditEvent[] = [], also?: () => void): void {
    const next: SyncJob = {
      ...job,
      updatedAt: new Date().toISOString(),
      stateVersion: this.current?.jobId === job.jobId ? (this.current.stateVersion ?? 0) + 1 : 1,
    };
    const now = Date.now();
    try {
      this.ctx.storage.transactionSync(() => {
        also?.();
        this.ctx.storage.kv.put(JOB, next);
        this.outbox.add({ kind: "job", job: next }, now);
        if (events.length > 0) this.outbox.add({ kind: "audit", events }, now);
      });
    } catch (error) {
      this.outbox.reload();
      throw error;
    }
    this.current = next;
  }

  /**
   * Delivers due entries: the newest state of each job in one D1 batch, the events in one
   * append (tests pass a later `now` to skip the backoff).
   */
  deliverDue(now: number): Promise<void> {
    const run = this.delivery.then(async () => {
      const due = this.outbox.due(now);
      const jobs = due.filter((e) => e.payload.kind === "job");
      const audits = due.filter((e) => e.payload.kind === "audit");
      const latest = new Map<string, SyncJob>();
      for (const e of jobs) {
        if (e.payload.kind !== "job") continue;
        const seen = latest.get(e.payload.job.jobId);
        if (!seen || seen.stateVersion < e.payload.job.stateVersion)
          latest.set(e.payload.job.jobId, e.payload.job);
      }
      const events = audits.flatMap((e) => (e.payload.kind === "audit" ? e.payload.events : []));
      await Promise.all([
        this.settle(jobs, () => this.sinks.projectJobs([...latest.values()]), now),
        this.settle(audits, () => this.sinks.appendAudit(events), now),
      ]);
    });
    this.delivery = run.catch(() => undefined);
    return run;
  }

  private async settle(entries: OutboxEntry<SyncEffect>[], deliver: () => Promise<void>, now: number) {
    if (entries.length === 0) return;
    try {
      await deliver();
      for (const e of entries) this.outbox.delivered(e);
    } catch (error) {
      for (const e of entries) if (this.outbox.failed(e, error, now) === "parked") this.parked(e);
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "sync outbox delivery failed; backing off",
          error: String(error),
        }),
      );
    }
  }

  /** A parked entry is logged and, unless it is itself a parking notice, made audit-visible. */
  private parked(entry: OutboxEntry<SyncEffect>): void {
    const { payload } = entry;
    console.error(
      JSON.stringify({
        level: "error",
        msg: "sync outbox entry parked after its last attempt",
        entryId: entry.id,
      }),
    );
    if (payload.kind === "audit" && payload.events.every((e) => e.eventType === "outbox.parked")) return;
    const job = this.current;
    if (!job) return;
    const notice = completeAuditEvent({
      eventType: "outbox.parked",
      requestId: null,
      organizationId: job.organizationId,
      projectId: job.projectId,
      apiKeyId: null,
      actorType: "system",
      verdictId: null,
      data: { object: "account_sync", adAccountId: job.adAccountId, entryId: entry.id, kind: payload.kind },
    });
    this.outbox.add({ kind: "audit", events: [notice] }, Date.now());
  }

  /** The one alarm: the next page's time or the outbox's next attempt, whichever comes first. */
  private async schedule(): Promise<void> {
    const job = this.current;
    const times = [this.outbox.nextAttemptAt(), job?.status === "running" ? job.nextRunAt : null].filter(
      (t): t is number => t !== null,
    );
    if (times.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...times));
  }

  private retryPolicy(): RetryPolicy {
    const base = Number(this.env.DISPATCH_BACKOFF_BASE_SECONDS);
    const max = Number(this.env.DISPATCH_MAX_ATTEMPTS);
    return {
      backoffBaseSeconds: Number.isFinite(base) && base > 0 ? base : 1,
      maxAttempts: Number.isFinite(max) && max > 0 ? max : 5,
      maxDelaySeconds: 300,
    };
  }
}

export function accountSyncObject(env: Env, adAccountId: string): DurableObjectStub<AccountSyncObject> {
  return env.ACCOUNT_SYNCS.get(env.ACCOUNT_SYNCS.idFromName(adAccountId));
}
