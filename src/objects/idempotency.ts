/**
 * One object per API key: its idempotency records (SPEC §5). A claim, the stored response
 * and the replay are all answered from this object's storage, one request at a time, so
 * concurrent identical requests have exactly one winner and D1 stays off the write path.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export interface IdempotencyScope {
  method: string;
  path: string;
  idempotencyKey: string;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  /** `processing` while the first request runs, then `complete` with its response. */
  state: "processing" | "complete";
  response: StoredResponse | null;
  createdAt: number;
  expiresAt: number;
}

/** How long a record answers replays. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

const recordKey = (s: IdempotencyScope) => `rec:${s.method} ${s.path}\n${s.idempotencyKey}`;

export class IdempotencyObject extends DurableObject<Env> {
  /** Claims the key: null when this request now holds it, else the record that does. */
  claim(scope: IdempotencyScope, requestHash: string): IdempotencyRecord | null {
    const kv = this.ctx.storage.kv;
    const key = recordKey(scope);
    const now = Date.now();
    const existing = kv.get<IdempotencyRecord>(key);
    if (existing && existing.expiresAt > now) return existing;
    const record: IdempotencyRecord = {
      requestHash,
      state: "processing",
      response: null,
      createdAt: now,
      expiresAt: now + IDEMPOTENCY_RETENTION_MS,
    };
    kv.put(key, record);
    if (kv.get<number>("alarm-at") === undefined) {
      kv.put("alarm-at", record.expiresAt);
      void this.ctx.storage.setAlarm(record.expiresAt);
    }
    return null;
  }

  complete(scope: IdempotencyScope, response: StoredResponse): void {
    const kv = this.ctx.storage.kv;
    const key = recordKey(scope);
    const record = kv.get<IdempotencyRecord>(key);
    if (!record) return;
    kv.put(key, { ...record, state: "complete", response });
  }

  release(scope: IdempotencyScope): void {
    this.ctx.storage.kv.delete(recordKey(scope));
  }

  override async alarm(): Promise<void> {
    this.purgeExpired(Date.now());
  }

  /** Drops records expired at `now` and sets the alarm for the next expiry; returns how many. */
  purgeExpired(now: number): number {
    const kv = this.ctx.storage.kv;
    let removed = 0;
    let next: number | null = null;
    for (const [key, record] of kv.list<IdempotencyRecord>({ prefix: "rec:" })) {
      if (record.expiresAt <= now) {
        kv.delete(key);
        removed += 1;
      } else if (next === null || record.expiresAt < next) {
        next = record.expiresAt;
      }
    }
    if (next === null) {
      kv.delete("alarm-at");
      void this.ctx.storage.deleteAlarm();
    } else {
      kv.put("alarm-at", next);
      void this.ctx.storage.setAlarm(next);
    }
    return removed;
  }
}

export function idempotencyObject(env: Env, apiKeyId: string): DurableObjectStub<IdempotencyObject> {
  return env.IDEMPOTENCY.get(env.IDEMPOTENCY.idFromName(apiKeyId));
}
