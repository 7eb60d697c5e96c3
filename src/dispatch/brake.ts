/**
 * Owns the dispatch brake: an operator switch that holds every platform call without losing
 * anything. Two ways to pull it: the `DISPATCH_BRAKE=on` variable (a deploy), or the
 * operator endpoint, which sets the flag in this one object. Runners that find the brake on
 * keep their messages and register here; a release wakes them in the order they were held.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { logLine } from "../observability/log";
import { dispatchRunner } from "./runner";

export interface BrakeState {
  engaged: boolean;
  /** Who pulled it and why, as the operator said. */
  reason: string | null;
  changedAt: string | null;
  /** `variable` when DISPATCH_BRAKE holds dispatch regardless of the switch. */
  source: "switch" | "variable" | null;
  heldCampaigns: number;
}

export class DispatchControlObject extends DurableObject<Env> {
  state(): BrakeState {
    const kv = this.ctx.storage.kv;
    const byVariable = brakeVariableOn(this.env);
    const engaged = kv.get<boolean>("engaged") ?? false;
    return {
      engaged: engaged || byVariable,
      reason: kv.get<string>("reason") ?? null,
      changedAt: kv.get<string>("changedAt") ?? null,
      source: byVariable ? "variable" : engaged ? "switch" : null,
      heldCampaigns: [...kv.list({ prefix: "held:" })].length,
    };
  }

  set(engaged: boolean, reason: string | null): BrakeState {
    const kv = this.ctx.storage.kv;
    const changedAt = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      kv.put("engaged", engaged);
      kv.put("reason", reason);
      kv.put("changedAt", changedAt);
    });
    logLine({ msg: "dispatch.brake", engaged, reason, changedAt });
    if (!engaged) void this.ctx.storage.setAlarm(Date.now());
    return this.state();
  }

  /**
   * Asked by a runner before each attempt: true lets it go; false holds it, remembering the
   * campaign (first hold wins its place in line) so the release wakes it in order.
   */
  admit(campaignId: string): boolean {
    if (!this.state().engaged) return true;
    const kv = this.ctx.storage.kv;
    const key = `held:${campaignId}`;
    if (kv.get(key) === undefined) {
      const seq = (kv.get<number>("heldSeq") ?? 0) + 1;
      this.ctx.storage.transactionSync(() => {
        kv.put("heldSeq", seq);
        kv.put(key, seq);
      });
    }
    return false;
  }

  /** After a release: wake held runners in the order they were held; what fails stays for the next alarm. */
  override async alarm(): Promise<void> {
    if (this.state().engaged) return;
    const kv = this.ctx.storage.kv;
    const held = [...kv.list<number>({ prefix: "held:" })].sort(([, a], [, b]) => a - b);
    for (const [key] of held) {
      try {
        await dispatchRunner(this.env, key.slice("held:".length)).wake();
        kv.delete(key);
      } catch (error) {
        logLine({ level: "warn", msg: "dispatch.brake.wake_failed", key, error: String(error) });
        await this.ctx.storage.setAlarm(Date.now() + 5_000);
        return;
      }
    }
  }
}

export function brakeVariableOn(env: Env): boolean {
  return ["on", "true", "1"].includes((env.DISPATCH_BRAKE ?? "").trim().toLowerCase());
}

export function dispatchControl(env: Env): DurableObjectStub<DispatchControlObject> {
  return env.DISPATCH_CONTROL.get(env.DISPATCH_CONTROL.idFromName("global"));
}
