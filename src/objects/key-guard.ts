/**
 * One object per API key: the consistent place to count its requests and to hold its kill
 * flag, so both hold across every isolate and a kill takes effect on the very next request.
 */
import { DurableObject } from "cloudflare:workers";
import {
  type EndpointClass,
  type RateDecision,
  takeFromWindow,
  type WindowState,
} from "../domain/rate-limits";
import type { Env } from "../env";

export type GuardResult = { killed: true } | ({ killed: false } & RateDecision);

export class KeyGuardObject extends DurableObject<Env> {
  private killed = false;
  private readonly windows = new Map<EndpointClass, WindowState>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.killed = ctx.storage.kv.get<boolean>("killed") === true;
  }

  admit(endpointClass: EndpointClass, limit: number): GuardResult {
    if (this.killed) return { killed: true };
    const now = Date.now();
    let window = this.windows.get(endpointClass);
    if (!window) {
      window = { windowStart: now - (now % 60_000), current: 0, previous: 0 };
      this.windows.set(endpointClass, window);
    }
    return { killed: false, ...takeFromWindow(window, limit, now) };
  }

  /** Returns whether this call changed anything (a second kill is a no-op). */
  kill(): boolean {
    if (this.killed) return false;
    this.killed = true;
    this.ctx.storage.kv.put("killed", true);
    return true;
  }

  isKilled(): boolean {
    return this.killed;
  }
}

export function keyGuard(env: Env, apiKeyId: string): DurableObjectStub<KeyGuardObject> {
  return env.KEY_GUARDS.get(env.KEY_GUARDS.idFromName(apiKeyId));
}
