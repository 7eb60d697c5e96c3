/**
 * Owns the campaign object's durable state: the campaign, its authority, its jobs and pending
 * actions, in memory and in storage, and the one commit path that writes a change together
 * with its outbox effects in a single storage transaction.
 */
import type { DispatchMessage } from "../../dispatch/messages";
import type { AdRecord } from "../../domain/ad-model";
import type { AdsetRecord } from "../../domain/adset-model";
import type { AuditEvent } from "../../domain/audit-chain";
import type { AuthorityState, CampaignRecord, JobRecord, PendingRecord } from "../../domain/campaign-model";
import type { KeywordRecord } from "../../domain/keyword-model";
import type { Env } from "../../env";
import type { CampaignScope } from "./contract";
import type { Outbox, OutboxEffect } from "./outbox";

/** One change: the records it touched and the effects it causes. */
export interface Changes {
  campaign?: boolean;
  authority?: boolean;
  adsets?: AdsetRecord[];
  keywords?: KeywordRecord[];
  ads?: AdRecord[];
  jobs?: JobRecord[];
  pending?: PendingRecord[];
  audit?: AuditEvent[];
  enqueue?: { message: DispatchMessage; delaySeconds?: number }[];
}

/** Settled jobs and pending actions stay in the object this long, then live on in D1 only. */
export const HISTORY_KEPT_MS = 30 * 24 * 60 * 60 * 1000;

export class CampaignState {
  campaign: CampaignRecord | null = null;
  authority: AuthorityState | null = null;
  /** The campaign's ad sets (TikTok, Apple: ad groups): the object writes its whole tree. */
  readonly adsets = new Map<string, AdsetRecord>();
  /** Its Apple ad groups' targeting keywords. */
  readonly keywords = new Map<string, KeywordRecord>();
  /** The ad sets' ads (Meta, TikTok). */
  readonly ads = new Map<string, AdRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly pending = new Map<string, PendingRecord>();
  version = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    readonly outbox: Outbox,
  ) {}

  load(): void {
    const kv = this.storage.kv;
    this.adsets.clear();
    this.keywords.clear();
    this.ads.clear();
    this.jobs.clear();
    this.pending.clear();
    this.campaign = kv.get<CampaignRecord>("campaign") ?? null;
    this.authority = kv.get<AuthorityState>("authority") ?? null;
    this.version = kv.get<number>("version") ?? 0;
    for (const [, adset] of kv.list<AdsetRecord>({ prefix: "adset:" })) this.adsets.set(adset.id, adset);
    for (const [, k] of kv.list<KeywordRecord>({ prefix: "keyword:" })) this.keywords.set(k.id, k);
    for (const [, ad] of kv.list<AdRecord>({ prefix: "ad:" })) this.ads.set(ad.id, ad);
    for (const [, job] of kv.list<JobRecord>({ prefix: "job:" })) this.jobs.set(job.id, job);
    for (const [, item] of kv.list<PendingRecord>({ prefix: "pending:" })) this.pending.set(item.id, item);
    this.outbox.load();
  }

  inScope(scope: CampaignScope): CampaignRecord | null {
    const c = this.campaign;
    if (!c || c.organizationId !== scope.organizationId || c.projectId !== scope.projectId) return null;
    return c.platform === scope.platform ? c : null;
  }

  /** The campaign, for paths that only run once it exists (jobs, approvals). */
  get existing(): CampaignRecord {
    if (!this.campaign) throw new Error("the campaign does not exist yet");
    return this.campaign;
  }

  /**
   * Records a change and stages its outbox effects in one storage transaction. An audit-only
   * change (a denied create) needs no campaign.
   */
  commit(changes: Changes): void {
    const campaign = this.campaign;
    const touchesRecords = Boolean(
      changes.campaign ||
        changes.authority ||
        changes.adsets?.length ||
        changes.keywords?.length ||
        changes.ads?.length ||
        changes.jobs?.length ||
        changes.pending?.length,
    );
    if (touchesRecords && !campaign) throw new Error("commit of records before the campaign exists");
    this.version += 1;
    for (const adset of changes.adsets ?? []) this.adsets.set(adset.id, adset);
    for (const k of changes.keywords ?? []) this.keywords.set(k.id, k);
    for (const ad of changes.ads ?? []) this.ads.set(ad.id, ad);
    for (const job of changes.jobs ?? []) this.jobs.set(job.id, job);
    for (const item of changes.pending ?? []) this.pending.set(item.id, item);
    const effects: OutboxEffect[] = [];
    if (touchesRecords) {
      effects.push({
        kind: "project",
        adsetIds: (changes.adsets ?? []).map((a) => a.id),
        ...(changes.keywords?.length ? { keywordIds: changes.keywords.map((k) => k.id) } : {}),
        adIds: (changes.ads ?? []).map((a) => a.id),
        jobIds: (changes.jobs ?? []).map((j) => j.id),
        pendingIds: (changes.pending ?? []).map((p) => p.id),
      });
    }
    if (changes.audit?.length) effects.push({ kind: "audit", events: changes.audit });
    for (const e of changes.enqueue ?? []) {
      effects.push({ kind: "dispatch", message: e.message, delaySeconds: e.delaySeconds ?? 0 });
    }
    const kv = this.storage.kv;
    try {
      this.storage.transactionSync(() => {
        kv.put("version", this.version);
        if (changes.campaign) kv.put("campaign", campaign);
        if (changes.authority) kv.put("authority", this.authority);
        for (const adset of changes.adsets ?? []) kv.put(`adset:${adset.id}`, adset);
        for (const k of changes.keywords ?? []) kv.put(`keyword:${k.id}`, k);
        for (const ad of changes.ads ?? []) kv.put(`ad:${ad.id}`, ad);
        for (const job of changes.jobs ?? []) kv.put(`job:${job.id}`, job);
        for (const item of changes.pending ?? []) kv.put(`pending:${item.id}`, item);
        this.outbox.stage(effects);
      });
    } catch (error) {
      // The transaction rolled back: drop what callers already changed in memory, so the
      // object answers from what is durable — neither the change nor its effects happened.
      this.campaign = null;
      this.authority = null;
      this.load();
      throw error;
    }
  }

  /**
   * Drops jobs and pending actions settled long ago from memory and storage, so a long-lived
   * campaign stays small; D1 keeps them for reads and the audit log for history. Only once
   * their D1 copies have been delivered (the outbox is empty).
   */
  forgetSettledHistory(now = Date.now()): void {
    if (!this.outbox.isEmpty) return;
    const settledBefore = now - HISTORY_KEPT_MS;
    const kv = this.storage.kv;
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

  /** Earliest time a settled record is due to be forgotten. */
  nextForgetAt(): number | null {
    let at: number | null = null;
    for (const job of this.jobs.values()) {
      if (job.status === "running" || !job.finishedAt) continue;
      const due = Date.parse(job.finishedAt) + HISTORY_KEPT_MS;
      at = at === null ? due : Math.min(at, due);
    }
    return at;
  }
}

/** What the object's modules share: the state, the bindings, and the commit-and-deliver path. */
export interface CampaignHost {
  readonly env: Env;
  readonly state: CampaignState;
  /** Commits the change, schedules the alarm, and delivers the outbox (OUTBOX_DELIVERY). */
  commit(changes: Changes): Promise<void>;
}
