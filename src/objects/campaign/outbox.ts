/**
 * Owns the campaign object's outbox: every effect that leaves the object (D1 copies, audit
 * events, queue messages) is staged as its own entry in the same storage transaction as the
 * change that causes it, then delivered through the sinks. An entry that fails waits with
 * exponential backoff and jitter (`dispatch/retry-policy.ts`); after its last attempt it is
 * parked — logged, audited as `outbox.parked`, listed for operators — instead of retried
 * for the object's lifetime.
 */
import type { DispatchMessage } from "../../dispatch/messages";
import { nextRetryDelay, type RetryPolicy } from "../../dispatch/retry-policy";
import type { AuditEvent } from "../../domain/audit-chain";
import { logLine } from "../../observability/log";

export type OutboxEffect =
  | {
      kind: "project";
      adsetIds?: string[];
      adIds?: string[];
      keywordIds?: string[];
      jobIds: string[];
      pendingIds: string[];
    }
  | { kind: "audit"; events: AuditEvent[] }
  | { kind: "dispatch"; message: DispatchMessage; delaySeconds: number };

export type EffectOf<K extends OutboxEffect["kind"]> = Extract<OutboxEffect, { kind: K }>;

/** Where effects go. Tests inject failing ones. */
export interface OutboxSinks {
  project(effects: EffectOf<"project">[]): Promise<void>;
  audit(events: AuditEvent[]): Promise<void>;
  dispatch(effects: EffectOf<"dispatch">[]): Promise<void>;
}

export interface OutboxEntry {
  /** Zero-padded sequence: storage order is staging order. */
  id: string;
  effect: OutboxEffect;
  attempts: number;
  /** Epoch ms of the next delivery attempt. */
  nextAttemptAt: number;
  lastError: string | null;
  /** Set once the entry used its last attempt; it then waits for an operator. */
  parkedAt: string | null;
}

export interface ParkedEntry {
  id: string;
  kind: OutboxEffect["kind"];
  attempts: number;
  parkedAt: string;
  lastError: string | null;
}

export interface OutboxHooks {
  sinks: OutboxSinks;
  policy: () => RetryPolicy;
  /** The audit event announcing a parked entry, or null when there is no tenancy to file it under. */
  parkedEvent: (entry: ParkedEntry, effect: OutboxEffect) => AuditEvent | null;
  /** Fields that say whose outbox this is, for logs. */
  label: () => Record<string, unknown>;
}

const KEY = "outbox:";
const LEGACY_KEY = "outbox";

const isParkNotice = (e: OutboxEffect) =>
  e.kind === "audit" && e.events.every((event) => event.eventType === "outbox.parked");

export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  private sequence = 0;
  private delivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: DurableObjectStorage,
    public hooks: OutboxHooks,
  ) {}

  /** The sinks in use; tests swap them for failing ones. */
  get sinks(): OutboxSinks {
    return this.hooks.sinks;
  }
  set sinks(sinks: OutboxSinks) {
    this.hooks.sinks = sinks;
  }

  load(): void {
    const kv = this.storage.kv;
    this.entries.clear();
    this.sequence = 0;
    for (const [, entry] of kv.list<OutboxEntry>({ prefix: KEY })) {
      this.entries.set(entry.id, entry);
      this.sequence = Math.max(this.sequence, Number(entry.id));
    }
    // Objects written before entries had their own keys kept one array.
    const legacy = kv.get<OutboxEffect[]>(LEGACY_KEY);
    if (legacy) {
      this.storage.transactionSync(() => {
        this.stage(legacy);
        kv.delete(LEGACY_KEY);
      });
    }
  }

  /** Nothing is left to deliver, parked entries included. */
  get isEmpty(): boolean {
    return this.entries.size === 0;
  }

  /** Stages effects, one entry each; call inside the storage transaction of their change. */
  stage(effects: OutboxEffect[], now = Date.now()): void {
    for (const effect of effects) {
      this.sequence += 1;
      const entry: OutboxEntry = {
        id: String(this.sequence).padStart(12, "0"),
        effect,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        parkedAt: null,
      };
      this.entries.set(entry.id, entry);
      this.storage.kv.put(KEY + entry.id, entry);
    }
  }

  /** When the alarm must run to redeliver, if any entry waits for delivery. */
  nextWakeAt(): number | null {
    let at: number | null = null;
    for (const entry of this.entries.values()) {
      if (entry.parkedAt) continue;
      at = at === null ? entry.nextAttemptAt : Math.min(at, entry.nextAttemptAt);
    }
    return at;
  }

  parked(): ParkedEntry[] {
    return [...this.entries.values()].flatMap((e) => (e.parkedAt ? [parkedView(e)] : []));
  }

  /** Puts parked entries (all, or these ids) back in line with fresh attempts. */
  retryParked(ids?: string[], now = Date.now()): number {
    let count = 0;
    this.storage.transactionSync(() => {
      for (const entry of this.entries.values()) {
        if (!entry.parkedAt || (ids && !ids.includes(entry.id))) continue;
        Object.assign(entry, { parkedAt: null, attempts: 0, nextAttemptAt: now });
        this.storage.kv.put(KEY + entry.id, entry);
        count += 1;
      }
    });
    return count;
  }

  /** Delivers the entries due at `now`, one delivery at a time; what fails waits its backoff. */
  deliver(now?: number): Promise<void> {
    const run = this.delivery.then(() => this.deliverDue(now ?? Date.now()));
    this.delivery = run.catch(() => undefined);
    return run;
  }

  private async deliverDue(now: number): Promise<void> {
    const due = [...this.entries.values()]
      .filter((e) => !e.parkedAt && e.nextAttemptAt <= now)
      .sort((a, b) => a.id.localeCompare(b.id));
    if (due.length === 0) return;
    const of = (kind: OutboxEffect["kind"]) => due.filter((e) => e.effect.kind === kind);
    // The three destinations are independent: deliver them side by side.
    const outcomes = await Promise.all(
      [of("project"), of("audit"), of("dispatch")].map((g) => this.deliverGroup(g)),
    );
    const failed = outcomes.flat();
    const notices: AuditEvent[] = [];
    this.storage.transactionSync(() => {
      for (const entry of due) {
        const failure = failed.find((f) => f.entry === entry);
        if (!failure) {
          this.entries.delete(entry.id);
          this.storage.kv.delete(KEY + entry.id);
          continue;
        }
        const notice = this.recordFailure(entry, failure.error, now);
        if (notice) notices.push(notice);
        this.storage.kv.put(KEY + entry.id, entry);
      }
      if (notices.length > 0) this.stage([{ kind: "audit", events: notices }], now);
    });
    if (failed.length > 0) {
      logLine({
        level: "warn",
        msg: "outbox delivery deferred",
        ...this.hooks.label(),
        failures: failed.map((f) => ({ entryId: f.entry.id, kind: f.entry.effect.kind, error: f.error })),
      });
    }
  }

  /**
   * One sink call for the whole group; when that fails, entry by entry in order, so one
   * entry that can never be delivered does not hold the others back.
   */
  private async deliverGroup(group: OutboxEntry[]): Promise<{ entry: OutboxEntry; error: string }[]> {
    if (group.length === 0) return [];
    try {
      await this.send(group);
      return [];
    } catch (error) {
      if (group.length === 1) return [{ entry: group[0] as OutboxEntry, error: String(error) }];
    }
    const failed: { entry: OutboxEntry; error: string }[] = [];
    for (const entry of group) {
      try {
        await this.send([entry]);
      } catch (error) {
        failed.push({ entry, error: String(error) });
      }
    }
    return failed;
  }

  private send(group: OutboxEntry[]): Promise<void> {
    const effects = group.map((e) => e.effect);
    const sinks = this.hooks.sinks;
    switch (effects[0]?.kind) {
      case "project":
        return sinks.project(effects as EffectOf<"project">[]);
      case "audit":
        return sinks.audit((effects as EffectOf<"audit">[]).flatMap((e) => e.events));
      case "dispatch":
        return sinks.dispatch(effects as EffectOf<"dispatch">[]);
      default:
        return Promise.resolve();
    }
  }

  /** Counts the failed attempt; schedules the next or parks the entry. Returns the park notice. */
  private recordFailure(entry: OutboxEntry, error: string, now: number): AuditEvent | null {
    entry.attempts += 1;
    entry.lastError = error.slice(0, 500);
    const delay = nextRetryDelay(this.hooks.policy(), entry.attempts, undefined);
    if (delay !== null) {
      entry.nextAttemptAt = now + delay * 1000;
      return null;
    }
    entry.parkedAt = new Date(now).toISOString();
    const view = parkedView(entry);
    logLine({ level: "error", msg: "outbox entry parked", ...this.hooks.label(), ...view });
    // A notice that itself cannot be delivered is only logged, or parking would never end.
    return isParkNotice(entry.effect) ? null : this.hooks.parkedEvent(view, entry.effect);
  }
}

function parkedView(entry: OutboxEntry): ParkedEntry {
  return {
    id: entry.id,
    kind: entry.effect.kind,
    attempts: entry.attempts,
    parkedAt: entry.parkedAt ?? "",
    lastError: entry.lastError,
  };
}
