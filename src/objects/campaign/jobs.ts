/**
 * Owns how a job advances. A job is created `running`/`queued` (or `awaiting_approval` behind
 * a pending action), takes its place in the campaign's line when it is accepted for dispatch,
 * runs only once every job ahead of it has settled, is attempted (`dispatching`), and settles
 * as `completed`, `retrying` → again, `failed`, or `canceled`. A watchdog re-sends stalled
 * jobs and fails any job past its deadline.
 */
import { executeOnPlatform } from "../../dispatch/execute";
import type { DispatchMessage } from "../../dispatch/messages";
import { nextRetryDelay } from "../../dispatch/retry-policy";
import {
  type ActionType,
  type ActionValue,
  JOB_KIND,
  type JobError,
  type JobRecord,
  type PendingRecord,
} from "../../domain/campaign-model";
import { describeWrite, type WriteTarget } from "../../domain/writes/index";
import type { PlatformSuccess } from "../../domain/writes/types";
import { dispatchConfig, type Env } from "../../env";
import type { PlatformOperation, PlatformResult } from "../../platforms/types";
import type { AttemptOutcome, RequestMeta, WriteAccepted } from "./contract";
import { adsetStep, adsetStepDone, adsetStepFailed, campaignStepDone } from "./create-steps";
import { jobEvent } from "./events";
import { settledResult, touchedKeywords } from "./keyword-results";
import type { CampaignHost, Changes } from "./state";

/** How long a running job may go without progress before the watchdog acts (default). */
const DEFAULT_STALL_MS = 10 * 60 * 1000;
/** No job stays running longer than this; then it fails. */
const JOB_DEADLINE_MS = 24 * 60 * 60 * 1000;

type AttemptPlan =
  | { proceed: false; reason: string }
  | { proceed: true; attempt: number; operation: PlatformOperation; adAccountId: string; sandbox: boolean };

export function stallMs(env: Env): number {
  const seconds = Number(env.DISPATCH_STALL_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_STALL_MS;
}

export function newJob(
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

export function accepted(job: JobRecord): WriteAccepted {
  return {
    jobId: job.id,
    verdictId: job.verdictId,
    status: job.status,
    ...(job.pendingId ? { pendingId: job.pendingId } : {}),
  };
}

export function dispatchMessage(campaignId: string, job: JobRecord): DispatchMessage {
  return { jobId: job.id, campaignId, generation: job.generation };
}

export function finishJob(
  job: JobRecord,
  status: "completed" | "failed" | "canceled",
  now: string,
  error: JobError | null,
): void {
  Object.assign(job, { status, stage: null, finishedAt: now, updatedAt: now, nextAttemptAt: null, error });
}

/** What the job's write acts on: the campaign and, for an ad set write, its ad set. */
export function writeTarget(host: CampaignHost, job: JobRecord): WriteTarget {
  const { state } = host;
  const adset = job.adsetId ? (state.adsets.get(job.adsetId) ?? null) : null;
  const ad = job.adId ? (state.ads.get(job.adId) ?? null) : null;
  const adsetAds = adset && job.adId ? [...state.ads.values()].filter((a) => a.adsetId === adset.id) : [];
  const tree = [...state.adsets.values()];
  return { campaign: state.existing, adset, ad, adsetAds, keywords: state.keywords, tree };
}

/** The ad sets or the ad a settling job changed, for its commit. */
export function touched(job: JobRecord, target: WriteTarget): Pick<Changes, "adsets" | "ads"> {
  if (target.ad) return { ads: [target.ad] };
  if (describeWrite(job.actionType, job.adsetId !== undefined).touchesTree) return { adsets: target.tree };
  return { adsets: target.adset ? [target.adset] : [] };
}

/** A job that ends without the platform carrying it out: its write lets go of what it made. */
export function abandoned(host: CampaignHost, job: JobRecord, outcome: "failed" | "rejected", now: string) {
  const write = describeWrite(job.actionType, job.adsetId !== undefined);
  const target = writeTarget(host, job);
  if (!write.abandon || !target.adset) return [];
  write.abandon(target, outcome, now);
  return [target.adset];
}

// ------------------------------------------------------------------ the line

/** Jobs in the campaign's line, in acceptance order: accepted for dispatch and not settled. */
export function inLine(host: CampaignHost): JobRecord[] {
  return [...host.state.jobs.values()]
    .filter((j) => j.status === "running" && j.stage !== "awaiting_approval")
    .sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
}

/** Gives a job accepted for dispatch (or just approved) its place at the end of the line. */
export function joinLine(host: CampaignHost, job: JobRecord): void {
  let max = 0;
  for (const j of host.state.jobs.values()) max = Math.max(max, j.sequence ?? 0);
  job.sequence = max + 1;
}

function aheadOf(host: CampaignHost, job: JobRecord): boolean {
  return inLine(host).some((j) => j.id !== job.id && (j.sequence ?? 0) < (job.sequence ?? 0));
}

/**
 * Adds to a settling change a fresh message for the next job in line, which was refused
 * while the settled one ran (its generation is bumped, so its old message is ignored).
 */
function releasingNext(host: CampaignHost, changes: Changes): Changes {
  const next = inLine(host)[0];
  if (next?.stage !== "queued") return changes;
  Object.assign(next, { generation: next.generation + 1, updatedAt: new Date().toISOString() });
  return {
    ...changes,
    jobs: [...(changes.jobs ?? []), next],
    enqueue: [...(changes.enqueue ?? []), { message: dispatchMessage(host.state.existing.id, next) }],
  };
}

/** The approved pending action of a settling job takes the job's outcome. */
function pendingOf(host: CampaignHost, job: JobRecord, update: Partial<PendingRecord>): PendingRecord[] {
  const item = job.pendingId ? host.state.pending.get(job.pendingId) : undefined;
  if (item?.status !== "approved") return [];
  Object.assign(item, update);
  return [item];
}

// ------------------------------------------------------------------ attempts

/** Runs one dispatch attempt of the message's job, if it is still due. */
export async function runAttempt(host: CampaignHost, message: DispatchMessage): Promise<AttemptOutcome> {
  const plan = await beginAttempt(host, message);
  if (!plan.proceed) return { next: "done" };
  const result = await executeOnPlatform(host.env, {
    jobId: message.jobId,
    attempt: plan.attempt,
    adAccountId: plan.adAccountId,
    operation: plan.operation,
    sandbox: plan.sandbox,
  });
  return completeAttempt(host, message.jobId, plan.attempt, result);
}

async function beginAttempt(host: CampaignHost, message: DispatchMessage): Promise<AttemptPlan> {
  const campaign = host.state.campaign;
  const job = host.state.jobs.get(message.jobId);
  if (!campaign || !job) return { proceed: false, reason: "unknown job" };
  if (job.status !== "running") return { proceed: false, reason: `job is ${job.status}` };
  if (job.stage === "awaiting_approval") return { proceed: false, reason: "awaiting approval" };
  if (message.generation !== job.generation) return { proceed: false, reason: "superseded message" };
  // Released again when the job ahead of it settles.
  if (aheadOf(host, job)) return { proceed: false, reason: "behind an earlier write" };
  const write = describeWrite(job.actionType, job.adsetId !== undefined);
  let target = writeTarget(host, job);
  const step = adsetStep(host, job);
  const operation = step === undefined ? write.operation(target, job.newValue) : step;
  const noop = write.isNoop(target, job.newValue);
  if (!operation || noop) {
    // Nothing exists on the platform to act on (its create failed), or the writes ahead of
    // this one already left the campaign as it asks: settle locally.
    const now = new Date().toISOString();
    target = succeed(host, job, null, now);
    await host.commit(
      releasingNext(host, {
        campaign: true,
        ...touched(job, target),
        keywords: touchedKeywords(host, job),
        jobs: [job],
        pending: noop ? pendingOf(host, job, { status: "dispatched", dispatchedAt: now }) : [],
        audit: [jobEvent(campaign, job, "job.completed", noop ? { noop: true } : {})],
      }),
    );
    return { proceed: false, reason: "settled without the platform" };
  }
  job.attempts += 1;
  Object.assign(job, { stage: "dispatching", updatedAt: new Date().toISOString(), nextAttemptAt: null });
  await host.commit({ jobs: [job] });
  return {
    proceed: true,
    attempt: job.attempts,
    operation,
    adAccountId: campaign.adAccountId,
    sandbox: job.sandbox,
  };
}

async function completeAttempt(
  host: CampaignHost,
  jobId: string,
  attempt: number,
  result: PlatformResult,
): Promise<AttemptOutcome> {
  const campaign = host.state.campaign;
  const job = host.state.jobs.get(jobId);
  if (!campaign || !job || job.status !== "running" || job.attempts !== attempt) return { next: "done" };
  const now = new Date().toISOString();
  if (result.ok) {
    const onward = result.platformAdsetId ? null : campaignStepDone(host, job, result.platformCampaignId);
    if (onward) {
      // The ad set step is due now: the runner that ran this attempt runs it next (it keeps
      // the message durably), no queue round trip; the stall watchdog covers a lost runner.
      await host.commit(onward);
      return { next: "continue", message: dispatchMessage(campaign.id, job) };
    }
    const stepAdsets = adsetStepDone(host, job, result.platformAdsetId);
    const target = succeed(host, job, { ...platformIdsOf(result), sandbox: job.sandbox }, now);
    const changed = touched(job, target);
    if (result.platformAdsetId && job.result) job.result.platformAdsetId = result.platformAdsetId;
    await host.commit(
      releasingNext(host, {
        campaign: true,
        adsets: [...stepAdsets, ...(changed.adsets ?? [])],
        ads: changed.ads ?? [],
        keywords: touchedKeywords(host, job),
        jobs: [job],
        pending: pendingOf(host, job, { status: "dispatched", dispatchedAt: now }),
        audit: [jobEvent(campaign, job, "job.completed", { attempts: job.attempts, result: job.result })],
      }),
    );
    return { next: "done" };
  }
  const retryIn =
    result.kind === "transient"
      ? nextRetryDelay(dispatchConfig(host.env), attempt, result.retryAfterMs)
      : null;
  if (retryIn !== null) {
    Object.assign(job, {
      stage: "retrying",
      updatedAt: now,
      nextAttemptAt: new Date(Date.now() + retryIn * 1000).toISOString(),
      error: { code: "PLATFORM_ERROR", message: result.message, platformCode: result.platformCode },
    });
    await host.commit({
      jobs: [job],
      audit: [
        jobEvent(campaign, job, "job.retrying", {
          attempt,
          delaySeconds: retryIn,
          message: result.message,
          platformCode: result.platformCode ?? null,
        }),
      ],
    });
    return { next: "retry", delaySeconds: retryIn };
  }
  const platformCode = result.platformCode ? { platformCode: result.platformCode } : {};
  const error: JobError =
    result.kind !== "transient"
      ? {
          code: result.kind === "auth" ? "PLATFORM_AUTH" : "PLATFORM_REJECTED",
          message: result.message,
          ...platformCode,
        }
      : {
          code: "PLATFORM_ERROR",
          message: `Gave up after ${attempt} attempts: ${result.message}`,
          ...platformCode,
        };
  await failJob(host, job, error, now);
  return { next: result.kind === "transient" ? "dead_letter" : "done" };
}

function platformIdsOf(result: Extract<PlatformResult, { ok: true }>): PlatformSuccess {
  return {
    platformCampaignId: result.platformCampaignId,
    ...(result.platformAdsetId ? { platformAdsetId: result.platformAdsetId } : {}),
    ...(result.platformAdId ? { platformAdId: result.platformAdId } : {}),
    ...(result.platformCreativeId ? { platformCreativeId: result.platformCreativeId } : {}),
    ...(result.keywords ? { keywords: result.keywords } : {}),
  };
}

/** The write took effect: the campaign (ad set, ad) takes it, the job completes. */
function succeed(
  host: CampaignHost,
  job: JobRecord,
  outcome: PlatformSuccess | null,
  now: string,
): WriteTarget {
  const campaign = host.state.existing;
  const target = writeTarget(host, job);
  describeWrite(job.actionType, job.adsetId !== undefined).settle(target, job.newValue, outcome);
  campaign.updatedAt = now;
  if (target.ad) target.ad.updatedAt = now;
  else if (target.adset) target.adset.updatedAt = now;
  finishJob(job, "completed", now, null);
  job.result = settledResult(job, target, outcome);
  return target;
}

export async function failJob(
  host: CampaignHost,
  job: JobRecord,
  error: JobError,
  now: string,
): Promise<void> {
  const campaign = host.state.existing;
  finishJob(job, "failed", now, error);
  const adsets =
    job.actionType === "create_campaign" ? adsetStepFailed(host, job) : abandoned(host, job, "failed", now);
  if (job.actionType === "create_campaign") Object.assign(campaign, { status: "failed", updatedAt: now });
  await host.commit(
    releasingNext(host, {
      campaign: true,
      adsets,
      jobs: [job],
      pending: pendingOf(host, job, { status: "dispatch_failed", dispatchFailureReason: error.message }),
      audit: [jobEvent(campaign, job, "job.failed", { attempts: job.attempts, error })],
    }),
  );
}

/** From the dead-letter consumer: a message could not be processed; make sure its job ends. */
export async function abandonJob(host: CampaignHost, jobId: string, reason: string): Promise<boolean> {
  const job = host.state.jobs.get(jobId);
  if (!host.state.campaign || !job || job.status !== "running") return false;
  await failJob(host, job, { code: "PLATFORM_ERROR", message: reason }, new Date().toISOString());
  return true;
}

// ------------------------------------------------------------------ watchdog

/** Re-sends messages for jobs that stopped making progress; fails jobs past their deadline. */
export async function superviseJobs(host: CampaignHost, now = Date.now()): Promise<void> {
  const campaign = host.state.campaign;
  if (!campaign) return;
  const jobs: JobRecord[] = [];
  const enqueue: { message: DispatchMessage }[] = [];
  for (const job of host.state.jobs.values()) {
    if (job.status !== "running" || job.stage === "awaiting_approval") continue;
    if (now - Date.parse(job.startedAt) > JOB_DEADLINE_MS) {
      const error = {
        code: "PLATFORM_ERROR" as const,
        message: "The job did not finish within its deadline.",
      };
      await failJob(host, job, error, new Date(now).toISOString());
      continue;
    }
    if (now - lastProgress(job) > stallMs(host.env)) {
      Object.assign(job, { generation: job.generation + 1, updatedAt: new Date(now).toISOString() });
      jobs.push(job);
      enqueue.push({ message: dispatchMessage(campaign.id, job) });
    }
  }
  if (jobs.length > 0) await host.commit({ jobs, enqueue });
}

function lastProgress(job: JobRecord): number {
  return job.nextAttemptAt ? Date.parse(job.nextAttemptAt) : Date.parse(job.updatedAt);
}

/** When the watchdog must next look at a running job, if any runs. */
export function nextWatchAt(host: CampaignHost): number | null {
  let at: number | null = null;
  for (const job of host.state.jobs.values()) {
    if (job.status !== "running" || job.stage === "awaiting_approval") continue;
    const due = lastProgress(job) + stallMs(host.env) + 1000;
    at = at === null ? due : Math.min(at, due);
  }
  return at;
}
