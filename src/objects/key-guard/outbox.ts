/**
 * Owns the key guard's outbox: one stored entry per effect of a committed change (a D1
 * projection, an audit event), each with its attempt count and next attempt time. Entries of
 * one sink are delivered in commit order (a later projection never overtakes an earlier
 * one); a failing entry backs off with jitter and is parked after its last attempt, which
 * leaves an `outbox.parked` audit event and an error log line.
 */
import { applyKeyProjection, type KeyProjection } from "../../db/api-keys";
import { nextRetryDelay, type RetryPolicy } from "../../dispatch/retry-policy";
import type { AuditEvent } from "../../domain/audit-chain";
import { newId } from "../../domain/ids";
import type { Env } from "../../env";
import { auditLedger } from "../audit-ledger";

export type KeyEffect = { sink: "d1"; projection: KeyProjection } | { sink: "audit"; event: AuditEvent };

export interface OutboxEntry {
  id: string;
  effect: KeyEffect;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  /** A parked-entry notice is never itself announced when it parks. */
  notice?: boolean;
}

/** Where effects go; tests replace it with one that fails. */
export interface KeySinks {
  d1(env: Env, projection: KeyProjection): Promise<void>;
  audit(env: Env, event: AuditEvent): Promise<void>;
}

export const defaultSinks: KeySinks = {
  d1: (env, projection) => applyKeyProjection(env.DB, projection),
  audit: async (env, event) => {
    await auditLedger(env, event.organizationId).append([event]);
  },
};

export const KEY_OUTBOX_POLICY: RetryPolicy = { backoffBaseSeconds: 1, maxAttempts: 8, maxDelaySeconds: 300 };

const ENTRY_PREFIX = "outbox:";
const PARKED_PREFIX = "parked:";

export class KeyOutbox {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
    /** The organization of the key this outbox belongs to, for parked-entry notices. */
    private readonly organizationId: () => string | null,
    public sinks: KeySinks = defaultSinks,
    public policy: RetryPolicy = KEY_OUTBOX_POLICY,
  ) {}

  /** Stores entries; call inside the transaction that commits the change they describe. */
  stage(effects: KeyEffect[], now = Date.now()): void {
    for (const effect of effects) {
      // ULIDs sort by time, so a prefix listing is commit order.
      const id = newId("event").slice(4);
      this.storage.kv.put<OutboxEntry>(`${ENTRY_PREFIX}${id}`, {
        id,
        effect,
        attempts: 0,
        nextAttemptAt: now,
      });
    }
  }

  pending(): OutboxEntry[] {
    return [...this.storage.kv.list<OutboxEntry>({ prefix: ENTRY_PREFIX })].map(([, entry]) => entry);
  }

  parked(): OutboxEntry[] {
    return [...this.storage.kv.list<OutboxEntry>({ prefix: PARKED_PREFIX })].map(([, entry]) => entry);
  }

  /** Delivers what is due (everything when `ignoreSchedule`), one run at a time; returns the next due time. */
  deliver(options: { ignoreSchedule?: boolean } = {}): Promise<number | null> {
    const run = this.tail.then(() => this.deliverSerially(options.ignoreSchedule === true));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async deliverSerially(ignoreSchedule: boolean): Promise<number | null> {
    const blocked = new Set<KeyEffect["sink"]>();
    for (const entry of this.pending()) {
      const sink = entry.effect.sink;
      if (blocked.has(sink)) continue;
      if (!ignoreSchedule && entry.nextAttemptAt > Date.now()) {
        blocked.add(sink);
        continue;
      }
      try {
        if (entry.effect.sink === "d1") await this.sinks.d1(this.env, entry.effect.projection);
        else await this.sinks.audit(this.env, entry.effect.event);
        this.storage.kv.delete(`${ENTRY_PREFIX}${entry.id}`);
      } catch (error) {
        this.failed(entry, error);
        // Parking frees the sink for the next entry; a retry keeps the order by blocking it.
        if (this.storage.kv.get(`${ENTRY_PREFIX}${entry.id}`) !== undefined) blocked.add(sink);
      }
    }
    const times = this.pending().map((e) => e.nextAttemptAt);
    return times.length > 0 ? Math.min(...times) : null;
  }

  private failed(entry: OutboxEntry, error: unknown): void {
    const attempts = entry.attempts + 1;
    const lastError = error instanceof Error ? error.message : String(error);
    const delay = nextRetryDelay(this.policy, attempts, undefined);
    if (delay !== null) {
      this.storage.kv.put<OutboxEntry>(`${ENTRY_PREFIX}${entry.id}`, {
        ...entry,
        attempts,
        lastError,
        nextAttemptAt: Date.now() + delay * 1000,
      });
      return;
    }
    const parked = { ...entry, attempts, lastError };
    console.error(
      JSON.stringify({
        level: "error",
        msg: "key outbox entry parked",
        entryId: entry.id,
        sink: entry.effect.sink,
        attempts,
        error: lastError,
      }),
    );
    this.storage.transactionSync(() => {
      this.storage.kv.delete(`${ENTRY_PREFIX}${entry.id}`);
      this.storage.kv.put(`${PARKED_PREFIX}${entry.id}`, parked);
      const organizationId = organizationOf(entry.effect) ?? this.organizationId();
      if (!entry.notice && organizationId) {
        const id = newId("event").slice(4);
        this.storage.kv.put<OutboxEntry>(`${ENTRY_PREFIX}${id}`, {
          id,
          notice: true,
          attempts: 0,
          nextAttemptAt: Date.now(),
          effect: {
            sink: "audit",
            event: {
              eventId: newId("event"),
              eventType: "outbox.parked",
              occurredAt: new Date().toISOString(),
              requestId: null,
              organizationId,
              projectId: null,
              apiKeyId: keyOf(entry.effect),
              actorType: "system",
              verdictId: null,
              data: { entryId: entry.id, sink: entry.effect.sink, attempts, error: lastError },
            },
          },
        });
      }
    });
  }
}

function organizationOf(effect: KeyEffect): string | null {
  if (effect.sink === "audit") return effect.event.organizationId;
  return effect.projection.kind === "insert" ? effect.projection.row.organizationId : null;
}

function keyOf(effect: KeyEffect): string | null {
  if (effect.sink === "audit") return effect.event.apiKeyId;
  return effect.projection.kind === "insert" ? effect.projection.row.id : effect.projection.keyId;
}
