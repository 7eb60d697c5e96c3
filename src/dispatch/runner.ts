/**
 * Owns running dispatch attempts, one object per campaign, off the queue consumer. The
 * consumer hands each message here and acks it once it is stored; the alarm then runs the
 * attempts of this campaign one after another (in the order they were taken), asks the
 * campaign object to do each, and keeps the retry schedule. A slow platform call holds only
 * its own campaign's runner, never the consumer or another tenant's dispatch.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { campaignObject } from "../objects/campaign";
import { logLine } from "../observability/log";
import { brakeVariableOn, dispatchControl } from "./brake";
import type { DispatchMessage } from "./messages";

interface TakenMessage {
  seq: number;
  message: DispatchMessage;
  /** Epoch ms when the next attempt is due. */
  dueAt: number;
  /** Times running it threw (the campaign object or the dead-letter queue unreachable). */
  failures: number;
  /** Retries are exhausted: only the dead-letter send is left to do. */
  deadLetter?: string;
}

/** After this many failures to run a message, it goes to the dead-letter queue. */
const MAX_RUN_FAILURES = 10;
/** While the brake is on through the variable nothing wakes the runner: look again this often. */
const VARIABLE_BRAKE_POLL_MS = 5_000;
/** While held by the switch the release wakes the runner; this is only the safety net. */
const SWITCH_BRAKE_POLL_MS = 60_000;

/** One stored message per job generation. */
const keyOf = (message: DispatchMessage) => `msg:${message.jobId}:${message.generation}`;

const failureDelayMs = (failures: number) => Math.min(60_000, 1000 * 2 ** Math.max(0, failures - 1));

export class DispatchRunnerObject extends DurableObject<Env> {
  /** Stores the message durably (once per job generation) and schedules it; ack after this resolves. */
  async take(message: DispatchMessage): Promise<void> {
    if (this.ctx.storage.kv.get(keyOf(message)) === undefined) this.store(message);
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** Stores a message due now, behind those taken before it; `replacing` leaves in the same transaction. */
  private store(message: DispatchMessage, replacing?: string): void {
    const kv = this.ctx.storage.kv;
    const seq = (kv.get<number>("seq") ?? 0) + 1;
    const taken: TakenMessage = { seq, message, dueAt: Date.now(), failures: 0 };
    this.ctx.storage.transactionSync(() => {
      kv.put("seq", seq);
      kv.put(keyOf(message), taken);
      if (replacing) kv.delete(replacing);
    });
  }

  /** From the brake's release. */
  async wake(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** How many messages wait here (for tests and operators). */
  waiting(): number {
    return [...this.ctx.storage.kv.list({ prefix: "msg:" })].length;
  }

  override async alarm(): Promise<void> {
    for (;;) {
      const next = this.nextDue();
      if (!next) break;
      const held = await this.heldFor(next[1].message.campaignId);
      if (held !== null) {
        await this.ctx.storage.setAlarm(Date.now() + held);
        return;
      }
      await this.run(next[0], next[1]);
    }
    const later = this.all().map(([, t]) => t.dueAt);
    if (later.length > 0) await this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...later)));
  }

  private all(): [string, TakenMessage][] {
    return [...this.ctx.storage.kv.list<TakenMessage>({ prefix: "msg:" })];
  }

  /** The earliest-taken message that is due now. */
  private nextDue(): [string, TakenMessage] | null {
    const now = Date.now();
    const due = this.all().filter(([, t]) => t.dueAt <= now);
    due.sort(([, a], [, b]) => a.seq - b.seq);
    return due[0] ?? null;
  }

  /** Null when dispatch may go on; else how long to wait before looking again. */
  private async heldFor(campaignId: string): Promise<number | null> {
    if (brakeVariableOn(this.env)) return VARIABLE_BRAKE_POLL_MS;
    try {
      return (await dispatchControl(this.env).admit(campaignId)) ? null : SWITCH_BRAKE_POLL_MS;
    } catch (error) {
      // Cannot tell whether the brake is on: hold rather than dispatch through it.
      logLine({ level: "warn", msg: "dispatch.brake.unreachable", campaignId, error: String(error) });
      return VARIABLE_BRAKE_POLL_MS;
    }
  }

  private async run(key: string, taken: TakenMessage): Promise<void> {
    const kv = this.ctx.storage.kv;
    const { message } = taken;
    try {
      if (taken.deadLetter) {
        await this.env.DISPATCH_DLQ.send({ ...message, reason: taken.deadLetter });
        kv.delete(key);
        return;
      }
      const outcome = await campaignObject(this.env, message.campaignId).runAttempt(message);
      if (outcome.next === "continue") {
        this.store(outcome.message, key);
      } else if (outcome.next === "retry") {
        kv.put(key, { ...taken, failures: 0, dueAt: Date.now() + outcome.delaySeconds * 1000 });
      } else if (outcome.next === "dead_letter") {
        kv.put(key, { ...taken, deadLetter: "retries exhausted" });
        await this.env.DISPATCH_DLQ.send({ ...message, reason: "retries exhausted" });
        kv.delete(key);
      } else {
        kv.delete(key);
      }
    } catch (error) {
      const failures = taken.failures + 1;
      logLine({
        level: "error",
        msg: "dispatch.run_failed",
        jobId: message.jobId,
        campaignId: message.campaignId,
        failures,
        error: String(error),
      });
      const current = kv.get<TakenMessage>(key) ?? taken;
      kv.put(key, {
        ...current,
        failures,
        dueAt: Date.now() + failureDelayMs(failures),
        ...(failures >= MAX_RUN_FAILURES && !current.deadLetter
          ? { deadLetter: "dispatch runner could not reach the campaign object" }
          : {}),
      });
    }
  }
}

export function dispatchRunner(env: Env, campaignId: string): DurableObjectStub<DispatchRunnerObject> {
  return env.DISPATCH_RUNNERS.get(env.DISPATCH_RUNNERS.idFromName(campaignId));
}
