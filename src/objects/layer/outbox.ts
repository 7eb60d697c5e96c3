/**
 * Owns a Durable Object's stored outbox: one entry per effect (one D1 projection, one batch
 * of audit events), each with its attempt count and next attempt time. Failed entries back
 * off with jitter through the dispatch retry policy; after the last attempt an entry is
 * parked (kept, never retried by itself) for an operator to look at.
 */
import { nextRetryDelay, type RetryPolicy } from "../../dispatch/retry-policy";

export interface OutboxEntry<P> {
  id: string;
  payload: P;
  attempts: number;
  /** Epoch ms before which the entry is not tried again. */
  nextAttemptAt: number;
  lastError: string | null;
  parkedAt: number | null;
}

const PENDING = "outbox:";
const PARKED = "parked:";
const SEQ = "outbox-seq";

export class StoredOutbox<P> {
  private readonly pending = new Map<string, OutboxEntry<P>>();
  private seq: number;

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly policy: RetryPolicy,
  ) {
    this.seq = 0;
    this.reload();
  }

  /** Re-reads what storage holds (after a transaction that added entries rolled back). */
  reload(): void {
    this.pending.clear();
    this.seq = this.kv.get<number>(SEQ) ?? 0;
    for (const [, entry] of this.kv.list<OutboxEntry<P>>({ prefix: PENDING }))
      this.pending.set(entry.id, entry);
  }

  /** Stores a new entry; call inside the storage transaction of the change that causes it. */
  add(payload: P, now: number): OutboxEntry<P> {
    this.seq += 1;
    const entry: OutboxEntry<P> = {
      id: String(this.seq).padStart(12, "0"),
      payload,
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      parkedAt: null,
    };
    this.kv.put(SEQ, this.seq);
    this.kv.put(PENDING + entry.id, entry);
    this.pending.set(entry.id, entry);
    return entry;
  }

  /** Entries due at `now`, oldest first. */
  due(now: number): OutboxEntry<P>[] {
    return [...this.pending.values()]
      .filter((e) => e.nextAttemptAt <= now)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  delivered(entry: OutboxEntry<P>): void {
    this.pending.delete(entry.id);
    this.kv.delete(PENDING + entry.id);
  }

  /** Records a failed attempt: the entry backs off, or is parked after its last attempt. */
  failed(entry: OutboxEntry<P>, error: unknown, now: number): "retry" | "parked" {
    entry.attempts += 1;
    entry.lastError = error instanceof Error ? error.message : String(error);
    const delaySeconds = nextRetryDelay(this.policy, entry.attempts, undefined);
    if (delaySeconds === null) {
      entry.parkedAt = now;
      this.pending.delete(entry.id);
      this.kv.delete(PENDING + entry.id);
      this.kv.put(PARKED + entry.id, entry);
      return "parked";
    }
    entry.nextAttemptAt = now + delaySeconds * 1000;
    this.kv.put(PENDING + entry.id, entry);
    return "retry";
  }

  /** When the next entry falls due, or null when nothing waits. */
  nextAttemptAt(): number | null {
    let next: number | null = null;
    for (const e of this.pending.values())
      if (next === null || e.nextAttemptAt < next) next = e.nextAttemptAt;
    return next;
  }

  size(): number {
    return this.pending.size;
  }

  parked(): OutboxEntry<P>[] {
    return [...this.kv.list<OutboxEntry<P>>({ prefix: PARKED })].map(([, e]) => e);
  }

  /** Puts a parked entry back in line (an operator fixed its cause). */
  requeue(id: string, now: number): boolean {
    const entry = this.kv.get<OutboxEntry<P>>(PARKED + id);
    if (!entry) return false;
    Object.assign(entry, { attempts: 0, nextAttemptAt: now, parkedAt: null });
    this.kv.delete(PARKED + id);
    this.kv.put(PENDING + id, entry);
    this.pending.set(id, entry);
    return true;
  }
}
