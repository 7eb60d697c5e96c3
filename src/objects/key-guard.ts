/**
 * One object per API key: the consistent place to count its requests, and the single writer
 * and single home of its kill flag and revocation. Every change is committed together with
 * its effects (D1 projection, audit event) in the object's storage and delivered through an
 * outbox (see key-guard/outbox.ts), so a fault at any step leaves both or neither and a retry
 * never skips the audit. It also aggregates failed authentications into one audit event per
 * key per minute, so a flood of wrong secrets costs no chain writes.
 */
import { DurableObject } from "cloudflare:workers";
import { type ApiKeyRecord, type KeyProjection, touchKeyLastUsed } from "../db/api-keys";
import type { AuditEvent } from "../domain/audit-chain";
import { newId } from "../domain/ids";
import {
  type EndpointClass,
  FAILED_AUTH_PER_MINUTE,
  type RateDecision,
  takeFromWindow,
  WINDOW_MS,
  type WindowState,
} from "../domain/rate-limits";
import type { Env } from "../env";
import { type KeyEffect, KeyOutbox, type OutboxEntry } from "./key-guard/outbox";

export type GuardResult =
  | { status: "killed"; rate: RateDecision }
  | { status: "revoked"; rate: RateDecision }
  | ({ status: "ok"; credentialsChangedAt: number | null } & RateDecision);

/** Who asked for a change, for its audit event. */
export interface KeyChange {
  organizationId: string;
  requestId: string | null;
  actorApiKeyId: string;
  actorType: string;
}

interface KeyState {
  organizationId: string | null;
  killedAt: string | null;
  revokedAt: string | null;
  /** When a rotation last changed which secrets are valid (ms): older cached rows must be re-read. */
  credentialsChangedAt?: number | null;
}

interface AuthFailureWindow {
  organizationId: string;
  apiKeyId: string;
  actorType: string;
  windowStart: number;
  count: number;
  reasons: Record<string, number>;
}

const LAST_USED_EVERY_MS = 60_000;
const MINTED_MEMORY_MS = 10_000;

export class KeyGuardObject extends DurableObject<Env> {
  private state: KeyState;
  private readonly windows = new Map<EndpointClass, WindowState>();
  private readonly failureWindows = new Map<EndpointClass, WindowState>();
  private lastUsedWrittenAt = 0;
  /** Job and pending-action ids this key's writes minted lately, by when (their D1 copies may trail). */
  private readonly minted = new Map<string, number>();
  readonly outbox: KeyOutbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const stored = ctx.storage.kv.get<KeyState>("state");
    // Objects from before the outbox kept a bare flag.
    const legacyKilled = ctx.storage.kv.get<boolean>("killed") === true;
    this.state = stored ?? {
      organizationId: null,
      killedAt: legacyKilled ? new Date(0).toISOString() : null,
      revokedAt: null,
    };
    this.outbox = new KeyOutbox(ctx.storage, env, () => this.state.organizationId);
  }

  admit(endpointClass: EndpointClass, limit: number, keyId?: string): GuardResult {
    const now = Date.now();
    const window = this.window(this.windows, endpointClass, now);
    if (this.state.revokedAt) return { status: "revoked", rate: peek(window, limit, now) };
    if (this.state.killedAt) return { status: "killed", rate: peek(window, limit, now) };
    const decision = takeFromWindow(window, limit, now);
    if (keyId && decision.allowed && now - this.lastUsedWrittenAt > LAST_USED_EVERY_MS) {
      this.lastUsedWrittenAt = now;
      void touchKeyLastUsed(this.env.DB, keyId, new Date(now).toISOString()).catch((error) =>
        console.error(JSON.stringify({ level: "error", msg: "lastUsedAt write", error: String(error) })),
      );
    }
    return { status: "ok", credentialsChangedAt: this.state.credentialsChangedAt ?? null, ...decision };
  }

  /**
   * Counts a failed authentication presented under this key id (known or not: the same work
   * either way) against its own limit, separate from the key's, so a forger cannot spend it.
   */
  authFailed(endpointClass: EndpointClass): RateDecision {
    const now = Date.now();
    return takeFromWindow(
      this.window(this.failureWindows, endpointClass, now),
      FAILED_AUTH_PER_MINUTE[endpointClass],
      now,
    );
  }

  /** Adds one failure to this minute's aggregate; the alarm turns it into one `auth.failed` event. */
  async noteAuthFailure(
    failure: Omit<AuthFailureWindow, "windowStart" | "count" | "reasons"> & { reason: string },
  ) {
    const now = Date.now();
    const current = this.ctx.storage.kv.get<AuthFailureWindow>("authFailures");
    const window: AuthFailureWindow = current ?? {
      organizationId: failure.organizationId,
      apiKeyId: failure.apiKeyId,
      actorType: failure.actorType,
      windowStart: now,
      count: 0,
      reasons: {},
    };
    window.count += 1;
    window.reasons[failure.reason] = (window.reasons[failure.reason] ?? 0) + 1;
    this.ctx.storage.kv.put("authFailures", window);
    if (!current) await this.scheduleAlarm(now + WINDOW_MS);
  }

  noteMinted(ids: string[]): void {
    const now = Date.now();
    for (const [id, at] of this.minted) if (now - at > MINTED_MEMORY_MS) this.minted.delete(id);
    for (const id of ids) this.minted.set(id, now);
  }

  /** Whether one of this key's writes minted `id` lately: only such ids are worth waiting for. */
  wasMinted(id: string): boolean {
    const at = this.minted.get(id);
    return at !== undefined && Date.now() - at <= MINTED_MEMORY_MS;
  }

  /** Returns whether this call changed anything (a second kill is a no-op) and when the key was killed. */
  async kill(change: KeyChange, keyId: string): Promise<{ changed: boolean; killedAt: string }> {
    if (this.state.killedAt) return { changed: false, killedAt: this.state.killedAt };
    const killedAt = new Date().toISOString();
    await this.commit(change, { ...this.state, killedAt }, [
      { sink: "d1", projection: { kind: "update", keyId, fields: { killedAt } } },
      this.auditEffect(change, keyId, "api_key.killed", { killedApiKeyId: keyId }),
    ]);
    return { changed: true, killedAt };
  }

  async unkill(change: KeyChange, keyId: string): Promise<{ changed: boolean }> {
    if (!this.state.killedAt) return { changed: false };
    await this.commit(change, { ...this.state, killedAt: null }, [
      { sink: "d1", projection: { kind: "update", keyId, fields: { killedAt: null } } },
      this.auditEffect(change, keyId, "api_key.unkilled", { unkilledApiKeyId: keyId }),
    ]);
    return { changed: true };
  }

  async revoke(change: KeyChange, keyId: string): Promise<{ changed: boolean; revokedAt: string }> {
    if (this.state.revokedAt) return { changed: false, revokedAt: this.state.revokedAt };
    const revokedAt = new Date().toISOString();
    await this.commit(change, { ...this.state, revokedAt }, [
      { sink: "d1", projection: { kind: "update", keyId, fields: { revokedAt } } },
      this.auditEffect(change, keyId, "api_key.revoked", { revokedApiKeyId: keyId }),
    ]);
    return { changed: true, revokedAt };
  }

  /** Mints the key: its row and its `api_key.created` event, committed together. */
  async create(change: KeyChange, row: ApiKeyRecord): Promise<void> {
    await this.commit(change, { organizationId: row.organizationId, killedAt: null, revokedAt: null }, [
      { sink: "d1", projection: { kind: "insert", row } },
      this.auditEffect(change, row.id, "api_key.created", {
        createdApiKeyId: row.id,
        actorType: row.actorType,
        scopes: row.scopes,
        env: row.env,
        expiresAt: row.expiresAt,
      }),
    ]);
  }

  /** A new secret; the previous one stays valid until `previousSecretExpiresAt`. */
  async rotate(
    change: KeyChange,
    keyId: string,
    fields: Extract<KeyProjection, { kind: "update" }>["fields"],
  ): Promise<{ rotated: boolean }> {
    if (this.state.revokedAt) return { rotated: false };
    await this.commit(change, { ...this.state, credentialsChangedAt: Date.now() }, [
      { sink: "d1", projection: { kind: "update", keyId, fields } },
      this.auditEffect(change, keyId, "api_key.rotated", {
        rotatedApiKeyId: keyId,
        previousSecretExpiresAt: fields.previousSecretExpiresAt ?? null,
      }),
    ]);
    return { rotated: true };
  }

  isKilled(): boolean {
    return this.state.killedAt !== null;
  }

  /** For operators and tests: what is waiting to be delivered and what was parked. */
  outboxState(): { pending: OutboxEntry[]; parked: OutboxEntry[] } {
    return { pending: this.outbox.pending(), parked: this.outbox.parked() };
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const failures = this.ctx.storage.kv.get<AuthFailureWindow>("authFailures");
    if (failures && now >= failures.windowStart + WINDOW_MS) this.flushAuthFailures(failures, now);
    const next = await this.outbox.deliver();
    const stillOpen = this.ctx.storage.kv.get<AuthFailureWindow>("authFailures");
    const times = [next, stillOpen ? stillOpen.windowStart + WINDOW_MS : null].filter(
      (t): t is number => t !== null,
    );
    if (times.length > 0) await this.ctx.storage.setAlarm(Math.max(Date.now() + 1, Math.min(...times)));
  }

  /** Closes the current failure window now (operators, tests) instead of at its minute's end. */
  async flushAuthFailuresNow(): Promise<void> {
    const failures = this.ctx.storage.kv.get<AuthFailureWindow>("authFailures");
    if (failures) this.flushAuthFailures(failures, Date.now());
    await this.afterCommit();
  }

  private flushAuthFailures(failures: AuthFailureWindow, now: number): void {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.kv.delete("authFailures");
      this.outbox.stage([
        {
          sink: "audit",
          event: {
            eventId: newId("event"),
            eventType: "auth.failed",
            occurredAt: new Date(failures.windowStart).toISOString(),
            requestId: null,
            organizationId: failures.organizationId,
            projectId: null,
            apiKeyId: failures.apiKeyId,
            actorType: failures.actorType,
            verdictId: null,
            data: {
              count: failures.count,
              reasons: failures.reasons,
              from: new Date(failures.windowStart).toISOString(),
              until: new Date(now).toISOString(),
            },
          },
        },
      ]);
    });
  }

  private async commit(change: KeyChange, next: KeyState, effects: KeyEffect[]): Promise<void> {
    const state = { ...next, organizationId: next.organizationId ?? change.organizationId };
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.kv.put("state", state);
      this.outbox.stage(effects);
    });
    this.state = state;
    await this.afterCommit();
  }

  /** Delivers what is due now; whatever fails waits for the alarm. Never throws: the change is durable. */
  private async afterCommit(): Promise<void> {
    const next = await this.outbox.deliver();
    if (next !== null) await this.scheduleAlarm(next);
  }

  private async scheduleAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private auditEffect(
    change: KeyChange,
    keyId: string,
    eventType: string,
    data: Record<string, unknown>,
  ): KeyEffect {
    const event: AuditEvent = {
      eventId: newId("event"),
      eventType,
      occurredAt: new Date().toISOString(),
      requestId: change.requestId,
      organizationId: change.organizationId,
      projectId: null,
      apiKeyId: change.actorApiKeyId,
      actorType: change.actorType,
      verdictId: null,
      data: { ...data, targetApiKeyId: keyId },
    };
    return { sink: "audit", event };
  }

  private window(map: Map<EndpointClass, WindowState>, endpointClass: EndpointClass, now: number) {
    let window = map.get(endpointClass);
    if (!window) {
      window = { windowStart: now - (now % WINDOW_MS), current: 0, previous: 0 };
      map.set(endpointClass, window);
    }
    return window;
  }
}

/** The limit headers for a request that is refused before it counts. */
function peek(window: WindowState, limit: number, now: number): RateDecision {
  const probe = { ...window };
  const decision = takeFromWindow(probe, limit, now);
  return { ...decision, remaining: decision.allowed ? decision.remaining + 1 : 0 };
}

export function keyGuard(env: Env, apiKeyId: string): DurableObjectStub<KeyGuardObject> {
  return env.KEY_GUARDS.get(env.KEY_GUARDS.idFromName(apiKeyId));
}
