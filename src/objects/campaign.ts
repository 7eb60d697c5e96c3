/**
 * One object per campaign: the single writer of everything that mutates it — its authority
 * block, its gated writes and pending actions, and its jobs' state machine. This class owns
 * the object's lifecycle, its RPC surface and its one alarm; the work lives in
 * `objects/campaign/`: `state` (records + the commit path), `outbox` and `sinks` (what leaves
 * the object), `pipeline` (every gated write), `approvals` (the draft queue), `jobs` (how a
 * job advances), `authority` (the authority block).
 */
import { DurableObject } from "cloudflare:workers";
import {
  type ImportInput,
  type ImportOutcome,
  planImport,
  planVanished,
  type VanishedInput,
} from "../connections/import-model";
import type { DispatchMessage } from "../dispatch/messages";
import type { AdRecord } from "../domain/ad-model";
import type { AdsetRecord } from "../domain/adset-model";
import type { AuthorityState, CampaignRecord } from "../domain/campaign-model";
import { type Env, outboxRetryPolicy } from "../env";
import { type DecisionInput, decidePending, expireDue, nextExpiryAt } from "./campaign/approvals";
import { type AuthorityPatch, authorityView, patchAuthority } from "./campaign/authority";
import {
  type AttemptOutcome,
  type AuthorityView,
  type CampaignScope,
  type CreateInput,
  fail,
  type LayerSnapshot,
  notFound,
  type Result,
  type WriteAccepted,
  type WriteOutcome,
} from "./campaign/contract";
import { parkedNotice, systemEvent } from "./campaign/events";
import { abandonJob, nextWatchAt, runAttempt, superviseJobs } from "./campaign/jobs";
import { LayerCache, type LayerInput } from "./campaign/layer-cache";
import { Outbox, type ParkedEntry } from "./campaign/outbox";
import { createCampaign, submitWrite, type WriteInput } from "./campaign/pipeline";
import { nextReviewAt, pollReviews } from "./campaign/reviews";
import { envSinks } from "./campaign/sinks";
import { type CampaignHost, CampaignState, type Changes } from "./campaign/state";
import type { LayerPush } from "./layer/fanout";

export type {
  AttemptOutcome,
  AuthorityView,
  CampaignScope,
  CreateInput,
  Failure,
  LayerSnapshot,
  RequestMeta,
  Result,
  WriteAccepted,
  WriteOutcome,
} from "./campaign/contract";
export type { LayerInput, LayerRef } from "./campaign/layer-cache";

/** A write as a route sends it: the layer as a snapshot, or a reference this object resolves. */
type WithLayer<T> = Omit<T, "layer"> & { layer: LayerInput };

/** How long after a commit its outbox is delivered (after_response): the coalescing window. */
const OUTBOX_COALESCE_MS = 50;
/** With a delivery on its way, the alarm waits this long before it redelivers. */
const REDELIVERY_MS = 2_000;

export class CampaignObject extends DurableObject<Env> {
  readonly state: CampaignState;
  /** The layer policy writes are judged by, pushed here by the layer object. */
  readonly layers: LayerCache;
  private readonly host: CampaignHost;
  private pendingDelivery: Promise<void> | null = null;
  /** The alarm this instance set last (null: unknown or fired). */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const outbox = new Outbox(ctx.storage, {
      sinks: { project: async () => {}, audit: async () => {}, dispatch: async () => {} },
      policy: () => outboxRetryPolicy(this.env),
      parkedEvent: (entry, effect) => parkedNotice(this.state.campaign, entry, effect),
      label: () => ({ campaignId: this.state.campaign?.id ?? null }),
    });
    this.state = new CampaignState(ctx.storage, outbox);
    this.layers = new LayerCache(() => this.env);
    outbox.sinks = envSinks(() => this.env, this.state);
    const object = this;
    this.host = {
      get env() {
        return object.env;
      },
      state: this.state,
      commit: (changes) => this.commit(changes),
    };
    ctx.blockConcurrencyWhile(async () => this.state.load());
  }

  /** The outbox, for operators and tests (inject failing sinks through `outbox.sinks`). */
  get outbox(): Outbox {
    return this.state.outbox;
  }

  // ---------------------------------------------------------------- reads

  /**
   * The effective authority block. A pinned block needs no layer; for an unpinned campaign
   * called without the layer, `view` is null: read the layer and ask again.
   */
  getAuthority(scope: CampaignScope, layer: LayerSnapshot | null): Result<{ view: AuthorityView | null }> {
    const found = this.state.inScope(scope);
    if (!found) return notFound();
    return { ok: true, view: authorityView(this.state, found, layer) };
  }

  /** The campaign as it is now, with its authority state: reads never trail a write. */
  read(scope: CampaignScope): Result<{ campaign: CampaignRecord; authority: AuthorityState }> {
    const found = this.state.inScope(scope);
    if (!found || !this.state.authority) return notFound();
    return { ok: true, campaign: found, authority: this.state.authority };
  }

  /** One of the campaign's ad sets as it is now. */
  readAdset(scope: CampaignScope, adsetId: string): Result<{ adset: AdsetRecord }> {
    const adset = this.state.inScope(scope) ? this.state.adsets.get(adsetId) : undefined;
    if (!adset) return { ...notFound(), message: "Ad set not found." };
    return { ok: true, adset };
  }

  /** One of the campaign's ads as it is now. */
  readAd(scope: CampaignScope, adId: string): Result<{ ad: AdRecord }> {
    const ad = this.state.inScope(scope) ? this.state.ads.get(adId) : undefined;
    if (!ad) return { ...notFound(), message: "Ad not found." };
    return { ok: true, ad };
  }

  // ---------------------------------------------------------------- writes

  create(input: CreateInput): Promise<Result<{ accepted: WriteAccepted }>> {
    return createCampaign(this.host, input);
  }

  /** A gated write: budget, pause, resume, delete. */
  async submitWrite(input: WithLayer<WriteInput>): Promise<WriteOutcome> {
    const layer = await this.resolveLayer(input);
    return "ok" in layer ? layer : submitWrite(this.host, { ...input, layer });
  }

  async patchAuthority(input: WithLayer<AuthorityPatch>) {
    const layer = await this.resolveLayer(input);
    return "ok" in layer ? layer : patchAuthority(this.host, { ...input, layer });
  }

  /** A change of the layer policy, pushed by the layer object (its single writer). */
  applyLayerPolicy(push: LayerPush): void {
    this.layers.apply(push);
  }

  decidePending(input: DecisionInput) {
    return decidePending(this.host, input);
  }

  /** Expires every pending action past its time: status `expired`, its job canceled. */
  expireDue(now = new Date()): Promise<number> {
    return expireDue(this.host, now);
  }

  /** Import or re-sync from the platform; connections/import-model plans it, authority stays as it is. */
  async syncFromPlatform(input: ImportInput): Promise<ImportOutcome> {
    const plan = planImport(this.state.campaign, input, this.writeInFlight());
    if (!plan.campaign) return plan.outcome;
    this.state.campaign = plan.campaign;
    this.state.authority ??= plan.authority;
    const campaign = plan.campaign;
    const audit = plan.events.map((e) => systemEvent(campaign, e.eventType, e.data));
    await this.commit({ campaign: true, authority: plan.outcome === "created", audit });
    return plan.outcome;
  }

  /** Looks up every ad review due by `now` (the alarm does this; operators and tests may too). */
  async pollReviews(now = Date.now()): Promise<number> {
    const count = await pollReviews(this.host, now);
    this.scheduleAlarm();
    // The caller reads the D1 copies next: deliver them before answering.
    await this.state.outbox.deliver();
    return count;
  }

  /** A re-sync's complete listing no longer shows the campaign: it is deleted on the platform. */
  async markVanished(input: VanishedInput): Promise<"deleted" | "kept"> {
    const plan = planVanished(this.state.campaign, input, this.writeInFlight());
    if (!plan) return "kept";
    this.state.campaign = plan.campaign;
    const audit = [systemEvent(plan.campaign, plan.event.eventType, plan.event.data)];
    await this.commit({ campaign: true, audit });
    return "deleted";
  }

  private writeInFlight(): boolean {
    return [...this.state.jobs.values()].some(
      (j) => j.status === "running" && j.stage !== "awaiting_approval",
    );
  }

  // ---------------------------------------------------------------- dispatch (queue consumer)

  runAttempt(message: DispatchMessage): Promise<AttemptOutcome> {
    return runAttempt(this.host, message);
  }

  abandonJob(jobId: string, reason: string): Promise<boolean> {
    return abandonJob(this.host, jobId, reason);
  }

  // ---------------------------------------------------------------- operators

  /** Outbox entries that used their last attempt and wait for an operator. */
  parkedOutbox(): ParkedEntry[] {
    return this.state.outbox.parked();
  }

  /** Puts parked entries (all, or these ids) back in line and delivers them now. */
  async retryParked(ids?: string[]): Promise<number> {
    const count = this.state.outbox.retryParked(ids);
    this.scheduleAlarm();
    await this.state.outbox.deliver();
    return count;
  }

  /** The snapshot a write is judged by: handed over, or this object's cached copy. */
  private async resolveLayer(input: { scope: CampaignScope; layer: LayerInput }) {
    const campaign = this.state.inScope(input.scope);
    if (!campaign) return notFound();
    const scope = { platform: campaign.platform, campaignId: campaign.id, projectId: campaign.projectId };
    const layer = await this.layers.resolve(input.layer, scope);
    return layer ?? fail("NOT_FOUND", "Ads layer for this platform not found.");
  }

  // ---------------------------------------------------------------- alarm

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    await this.state.outbox.deliver();
    await expireDue(this.host);
    await superviseJobs(this.host);
    await pollReviews(this.host);
    this.state.forgetSettledHistory();
    this.scheduleAlarm();
  }

  /**
   * Commits a change (records and outbox in one storage transaction), then delivers the
   * outbox before answering or right after (OUTBOX_DELIVERY); the alarm retries failures.
   */
  private async commit(changes: Changes): Promise<void> {
    this.state.commit(changes);
    if (this.env.OUTBOX_DELIVERY === "before_response") {
      this.scheduleAlarm();
      await this.state.outbox.deliver();
    } else {
      // The change is durable: answer now, deliver right after; the alarm set below retries.
      this.deliverSoon();
      this.scheduleAlarm();
    }
  }

  /**
   * One delivery a moment after the answer has left, carrying every change committed until
   * then: under load, many writes share one D1 batch and one ledger append, and the work
   * never runs before the answer it follows.
   */
  private deliverSoon(): void {
    if (this.pendingDelivery) return;
    const run = new Promise<void>((resolve) => setTimeout(resolve, OUTBOX_COALESCE_MS)).then(() => {
      this.pendingDelivery = null;
      return this.state.outbox.deliver();
    });
    this.pendingDelivery = run;
    this.ctx.waitUntil(run);
  }

  /** The one physical alarm, at the earliest moment any duty is due. */
  private scheduleAlarm(): void {
    const now = Date.now();
    const outboxWake = this.state.outbox.nextWakeAt();
    const times = [
      // A delivery is already on its way: the alarm is only its backstop, not a second runner.
      outboxWake !== null && this.pendingDelivery ? Math.max(outboxWake, now + REDELIVERY_MS) : outboxWake,
      nextExpiryAt(this.host),
      nextWatchAt(this.host),
      nextReviewAt(this.host),
      this.state.nextForgetAt(),
    ].filter((t): t is number => t !== null);
    if (times.length === 0) return;
    const at = Math.min(...times);
    // An alarm already due sooner (and still ahead) wakes the object in time: keep it.
    if (this.alarmAt !== null && this.alarmAt > now && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
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

/** One ad as it is now, from its campaign's object (typed as the method's own, see above). */
export async function readAd(
  env: Env,
  campaignId: string,
  scope: CampaignScope,
  adId: string,
): Promise<ReturnType<CampaignObject["readAd"]>> {
  const answer: unknown = await campaignObject(env, campaignId).readAd(scope, adId);
  return answer as ReturnType<CampaignObject["readAd"]>;
}

/** One ad set as it is now, from its campaign's object (typed as the method's own, see above). */
export async function readAdset(
  env: Env,
  campaignId: string,
  scope: CampaignScope,
  adsetId: string,
): Promise<ReturnType<CampaignObject["readAdset"]>> {
  const answer: unknown = await campaignObject(env, campaignId).readAdset(scope, adsetId);
  return answer as ReturnType<CampaignObject["readAdset"]>;
}
