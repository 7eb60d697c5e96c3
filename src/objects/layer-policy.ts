/**
 * One object per layer: the single writer of its policy blocks (one per platform) and the
 * cache every write is judged from. A change and its audit events (verdict,
 * defaults.changed) are committed together in this object's storage, with an outbox entry
 * per effect (the D1 projection, the audit append); the outbox is then delivered, and an
 * alarm redelivers with backoff, so a fault at any step leaves both or neither.
 */
import { DurableObject } from "cloudflare:workers";
import { type AdAccountRow, findAdAccount, findLayerPolicy } from "../db/tenancy";
import type { AuditEvent } from "../domain/audit-chain";
import type { DryRunDecision } from "../domain/dry-run";
import { ifMatchHolds } from "../domain/etags";
import type { LayerPolicy } from "../domain/layer-policy";
import type { Platform } from "../domain/platform-rules";
import { type Env, outboxRetryPolicy } from "../env";
import { completeAuditEvent } from "./audit-ledger";
import type { Failure, Result } from "./campaign";
import { AccountStatusBook, type AccountStatusChange } from "./layer/account-status";

export type { DefaultsChangeInput };

import { type DefaultsChangeInput, planDefaultsChange } from "./layer/defaults-change";
import { type LayerPush, pushOf, pushToSubscribers, Subscribers } from "./layer/fanout";
import { type OutboxEntry, StoredOutbox } from "./layer/outbox";
import { fromRow } from "./layer/policy-row";
import { type LayerSinks, liveSinks } from "./layer/sinks";

export type LayerEffect =
  | { kind: "project"; organizationId: string; policy: LayerPolicy }
  | { kind: "audit"; events: AuditEvent[] }
  | { kind: "account"; organizationId: string; adAccountId: string };

/** Ad account rows are kept this long; `forgetAdAccount` drops one at once. */
const ACCOUNT_TTL_MS = 30_000;
/** A commit sets the alarm this far out, so a delivery lost with the isolate is retried. */
const REDELIVERY_MS = 2_000;

export const policyETag = (p: LayerPolicy) => `"l${p.version}"`;

export class LayerPolicyObject extends DurableObject<Env> {
  /** Where the outbox delivers; tests replace it to inject failing sinks. */
  sinks: LayerSinks;
  private readonly outbox: StoredOutbox<LayerEffect>;
  /** The campaign objects caching a platform's policy: every change is pushed to them. */
  private readonly subscribers: Subscribers;
  private readonly policies = new Map<string, LayerPolicy>();
  private readonly loading = new Map<string, Promise<LayerPolicy | null>>();
  private readonly accounts = new Map<string, { row: AdAccountRow; fetchedAt: number }>();
  private delivery: Promise<void> = Promise.resolve();
  /** Ad account status: this object is its single writer (objects/layer/account-status.ts). */
  private readonly accountStatus: AccountStatusBook;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sinks = liveSinks(env);
    this.outbox = new StoredOutbox(ctx.storage.kv, outboxRetryPolicy(env));
    this.accountStatus = new AccountStatusBook(ctx.storage.kv, () => this.env.DB);
    this.subscribers = new Subscribers(ctx.storage.kv);
    for (const [, p] of ctx.storage.kv.list<LayerPolicy>({ prefix: "policy:" }))
      this.policies.set(p.platform, p);
  }

  // ---------------------------------------------------------------- reads

  /** The platform's policy, from memory (first seeded from D1, where tenants are created). */
  async policy(layerId: string, platform: string): Promise<LayerPolicy | null> {
    const known = this.policies.get(platform);
    if (known) return known;
    let load = this.loading.get(platform);
    if (!load) {
      load = this.seed(layerId, platform).finally(() => this.loading.delete(platform));
      this.loading.set(platform, load);
    }
    return load;
  }

  /**
   * A campaign object's first read: the policy and the lapsed ad accounts, and every later
   * change of either pushed to it.
   */
  async subscribe(
    layerId: string,
    platform: string,
    campaignId: string,
    projectId: string,
  ): Promise<LayerPush | null> {
    await Promise.all([this.policy(layerId, platform), this.accountStatus.known(projectId)]);
    // Memory again, after the await: a change committed meanwhile is the one to hand over.
    const current = this.policies.get(platform);
    if (!current) return null;
    this.subscribers.add(platform, campaignId);
    return pushOf(current, this.accountStatus.view());
  }

  /** What a create is judged on, in one call: the policy and the ad account. */
  async writeContext(
    layerId: string,
    platform: string,
    projectId: string,
    adAccountId: string | null,
  ): Promise<{ policy: LayerPolicy | null; account: AdAccountRow | null }> {
    const [policy, row] = await Promise.all([
      this.policy(layerId, platform),
      adAccountId ? this.adAccount(projectId, adAccountId) : null,
      this.accountStatus.known(projectId),
    ]);
    const status = row ? this.accountStatus.statusOf(row.id) : undefined;
    return { policy, account: row && status ? { ...row, tokenStatus: status.tokenStatus } : row };
  }

  /** An ad account's status change and its audit event, committed together; false when nothing changed. */
  async changeAccountStatus(change: AccountStatusChange): Promise<boolean> {
    await this.accountStatus.known(change.account.projectId);
    const next = this.accountStatus.next(change, new Date().toISOString());
    if (!next) return false;
    const { organizationId, id: adAccountId } = change.account;
    await this.commitWith(
      (now) => {
        this.accountStatus.stage(next);
        this.outbox.add({ kind: "account", organizationId, adAccountId }, now);
        this.outbox.add({ kind: "audit", events: [completeAuditEvent(change.event)] }, now);
      },
      () => {
        this.accountStatus.remember(next);
        this.accounts.delete(adAccountId);
      },
      // Every campaign object of the layer holds the lapsed accounts: each platform's subscribers.
      [...this.policies.keys()],
    );
    return true;
  }

  /** Drops a cached ad account (its connection changed). */
  forgetAdAccount(adAccountId: string): void {
    this.accounts.delete(adAccountId);
  }

  // ---------------------------------------------------------------- the one writer

  async changeDefaults(
    input: DefaultsChangeInput,
  ): Promise<Result<{ previous: LayerPolicy; policy: LayerPolicy } | { dryRun: DryRunDecision }>> {
    await this.policy(input.layerId, input.platform);
    // Read memory again after the await (a change waiting on the same first load may have
    // committed meanwhile); from here to the commit nothing awaits, so changes to this layer
    // are applied one at a time.
    const current = this.policies.get(input.platform);
    if (!current) return fail("NOT_FOUND", "Ads layer for this platform not found.");
    if (input.ifMatch && !ifMatchHolds(input.ifMatch, policyETag(current))) {
      return fail(
        "PRECONDITION_FAILED",
        "The layer defaults changed since you read them (If-Match is stale).",
        {
          currentETag: policyETag(current),
        },
      );
    }
    const plan = planDefaultsChange(current, input, new Date().toISOString());
    if ("dryRun" in plan) return { ok: true, dryRun: plan.dryRun };
    await this.commit(plan.next, plan.events, input.organizationId);
    if (plan.refusal) return plan.refusal;
    return { ok: true, previous: current, policy: plan.next as LayerPolicy };
  }

  // ---------------------------------------------------------------- outbox

  override async alarm(): Promise<void> {
    await this.deliverDue(Date.now());
  }

  /** Delivers every entry due at `now` (tests pass a later `now` to skip the backoff). */
  deliverDue(now: number): Promise<void> {
    const run = this.delivery.then(() => this.deliverOnce(now));
    this.delivery = run.catch(() => undefined);
    return run;
  }

  /** Entries that used up their attempts; an operator requeues one once its cause is fixed. */
  parkedEntries(): OutboxEntry<LayerEffect>[] {
    return this.outbox.parked();
  }

  requeueParked(id: string): boolean {
    const requeued = this.outbox.requeue(id, Date.now());
    if (requeued) this.ctx.waitUntil(this.deliverDue(Date.now()));
    return requeued;
  }

  pendingEffects(): number {
    return this.outbox.size();
  }

  /** The change (if any) and its audit events, with their outbox entries, in one transaction. */
  private commit(next: LayerPolicy | null, events: AuditEvent[], organizationId: string): Promise<void> {
    return this.commitWith(
      (now) => {
        if (next) {
          this.ctx.storage.kv.put(`policy:${next.platform}`, next);
          this.outbox.add({ kind: "project", organizationId, policy: next }, now);
        }
        this.outbox.add({ kind: "audit", events }, now);
      },
      () => {
        if (next) this.policies.set(next.platform, next);
      },
      next ? [next.platform] : [],
    );
  }

  /**
   * Stages a change and its outbox entries in one storage transaction, pushes what the
   * campaign objects cache to the subscribers of `pushTo`'s platforms, then delivers.
   */
  private async commitWith(
    stage: (now: number) => void,
    committed: () => void,
    pushTo: string[],
  ): Promise<void> {
    const now = Date.now();
    try {
      this.ctx.storage.transactionSync(() => stage(now));
    } catch (error) {
      // Rolled back: neither the change nor its events exist; forget the entries in memory too.
      this.outbox.reload();
      throw error;
    }
    committed();
    void this.ctx.storage.setAlarm(now + REDELIVERY_MS);
    // Before the change answers: the next write on any campaign is judged by it.
    const accounts = this.accountStatus.view();
    await Promise.all(
      pushTo.flatMap((platform) => {
        const policy = this.policies.get(platform);
        const subscribers = this.subscribers.of(platform);
        return policy ? [pushToSubscribers(this.env, subscribers, pushOf(policy, accounts))] : [];
      }),
    );
    if (this.env.OUTBOX_DELIVERY === "before_response") await this.deliverDue(now);
    else this.ctx.waitUntil(this.deliverDue(now));
  }

  /** One pass: all due projections in one D1 batch, all due audit events in one append. */
  private async deliverOnce(now: number): Promise<void> {
    const due = this.outbox.due(now);
    const projections = due.filter((e) => e.payload.kind === "project");
    const audits = due.filter((e) => e.payload.kind === "audit");
    const latest = new Map<string, LayerPolicy>();
    for (const e of projections)
      if (e.payload.kind === "project") latest.set(e.payload.policy.platform, e.payload.policy);
    const events = audits.flatMap((e) => (e.payload.kind === "audit" ? e.payload.events : []));
    // An account projection writes the account's current status, so a late one never regresses it.
    const accounts = due.filter((e) => e.payload.kind === "account");
    const states = this.accountStatus.current(
      accounts.map((e) => (e.payload as { adAccountId: string }).adAccountId),
    );
    await Promise.all([
      this.settle(projections, () => this.sinks.projectPolicies([...latest.values()]), now),
      this.settle(accounts, () => this.sinks.projectAccounts(states), now),
      this.settle(audits, () => this.sinks.appendAudit(events), now),
    ]);
    const nextAt = this.outbox.nextAttemptAt();
    if (nextAt === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(nextAt);
  }

  private async settle(entries: OutboxEntry<LayerEffect>[], deliver: () => Promise<void>, now: number) {
    if (entries.length === 0) return;
    try {
      await deliver();
      for (const e of entries) this.outbox.delivered(e);
      return;
    } catch (error) {
      for (const e of entries) {
        if (this.outbox.failed(e, error, now) === "parked") this.parked(e);
      }
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "layer outbox delivery failed; backing off",
          entries: entries.map((e) => ({ id: e.id, kind: e.payload.kind, attempts: e.attempts })),
          error: String(error),
        }),
      );
    }
  }

  /** A parked entry is logged and, unless it is itself a parking notice, made audit-visible. */
  private parked(entry: OutboxEntry<LayerEffect>): void {
    const { payload } = entry;
    const source = payload.kind === "audit" ? payload.events[0] : undefined;
    const policy = payload.kind === "project" ? payload.policy : undefined;
    console.error(
      JSON.stringify({
        level: "error",
        msg: "layer outbox entry parked after its last attempt",
        entryId: entry.id,
        kind: payload.kind,
        attempts: entry.attempts,
        lastError: entry.lastError,
      }),
    );
    if (payload.kind === "audit" && payload.events.every((e) => e.eventType === "outbox.parked")) return;
    const organizationId =
      source?.organizationId ?? (payload.kind === "audit" ? null : payload.organizationId);
    if (!organizationId) return;
    const notice = completeAuditEvent({
      eventType: "outbox.parked",
      requestId: null,
      organizationId,
      projectId: source?.projectId ?? null,
      apiKeyId: null,
      actorType: "system",
      verdictId: null,
      data: {
        object: "layer_policy",
        entryId: entry.id,
        kind: payload.kind,
        attempts: entry.attempts,
        lastError: entry.lastError,
        ...(policy ? { layerId: policy.layerId, platform: policy.platform, version: policy.version } : {}),
      },
    });
    this.outbox.add({ kind: "audit", events: [notice] }, Date.now());
  }

  // ---------------------------------------------------------------- loading

  private async seed(layerId: string, platform: string): Promise<LayerPolicy | null> {
    const row = await findLayerPolicy(this.env.DB, layerId, platform as Platform);
    if (!row) return null;
    // Another call may have committed while D1 answered: memory wins.
    const known = this.policies.get(platform);
    if (known) return known;
    const policy = fromRow(row);
    this.ctx.storage.kv.put(`policy:${platform}`, policy);
    this.policies.set(platform, policy);
    return policy;
  }

  private async adAccount(projectId: string, adAccountId: string): Promise<AdAccountRow | null> {
    const cached = this.accounts.get(adAccountId);
    if (cached && Date.now() - cached.fetchedAt < ACCOUNT_TTL_MS) {
      return cached.row.projectId === projectId ? cached.row : null;
    }
    const row = await findAdAccount(this.env.DB, projectId, adAccountId);
    if (row) this.accounts.set(adAccountId, { row, fetchedAt: Date.now() });
    return row;
  }
}

function fail(code: Failure["code"], message: string, details?: Record<string, unknown>): Failure {
  return { ok: false, code, message, ...(details ? { details } : {}) };
}

/**
 * Whoever changes an ad account (connect, disconnect, token health) calls this, so writes
 * stop being judged on the cached row at once rather than after its TTL.
 */
export async function adAccountChanged(env: Env, layerId: string, adAccountId: string): Promise<void> {
  await layerPolicyObject(env, layerId).forgetAdAccount(adAccountId);
}

export function layerPolicyObject(env: Env, layerId: string): DurableObjectStub<LayerPolicyObject> {
  return env.LAYER_POLICIES.get(env.LAYER_POLICIES.idFromName(layerId));
}
