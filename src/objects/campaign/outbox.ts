/**
 * Owns the campaign object's outbox: every effect that leaves the object (D1 copies, audit
 * events, queue messages) is staged in the same storage transaction as the change that
 * causes it, then delivered through the sinks; what fails stays for the alarm.
 */
import type { DispatchMessage } from "../../dispatch/messages";
import type { AuditEvent } from "../../domain/audit-chain";

export type OutboxEffect =
  | { kind: "project"; jobIds: string[]; pendingIds: string[] }
  | { kind: "audit"; events: AuditEvent[] }
  | { kind: "dispatch"; message: DispatchMessage; delaySeconds: number };

export type EffectOf<K extends OutboxEffect["kind"]> = Extract<OutboxEffect, { kind: K }>;

/** Where effects go. Tests inject failing ones. */
export interface OutboxSinks {
  project(effects: EffectOf<"project">[]): Promise<void>;
  audit(events: AuditEvent[]): Promise<void>;
  dispatch(effects: EffectOf<"dispatch">[]): Promise<void>;
}

const RETRY_MS = 2_000;

export class Outbox {
  private entries: OutboxEffect[] = [];
  private failedAt: number | null = null;
  private delivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: SyncKvStorage,
    public sinks: OutboxSinks,
    private readonly label: () => Record<string, unknown>,
  ) {}

  load(): void {
    this.entries = this.kv.get<OutboxEffect[]>("outbox") ?? [];
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Stages effects; call inside the storage transaction of the change that causes them. */
  stage(effects: OutboxEffect[]): void {
    this.entries.push(...effects);
    this.kv.put("outbox", this.entries);
  }

  /** When the alarm must run to redeliver, if anything waits. */
  nextWakeAt(now = Date.now()): number | null {
    return this.entries.length > 0 ? (this.failedAt ?? now) + RETRY_MS : null;
  }

  /** Delivers the outbox, one delivery at a time; what fails stays for the alarm. */
  deliver(): Promise<void> {
    const run = this.delivery.then(() => this.deliverOnce());
    this.delivery = run.catch(() => undefined);
    return run;
  }

  private async deliverOnce(): Promise<void> {
    const entries = [...this.entries];
    if (entries.length === 0) return;
    const of = <K extends OutboxEffect["kind"]>(kind: K) =>
      entries.filter((e): e is EffectOf<K> => e.kind === kind);
    const projections = of("project");
    const audits = of("audit");
    const sends = of("dispatch");
    // The three destinations are independent: deliver them side by side, keep what failed.
    const stages: [string, OutboxEffect[], () => Promise<unknown>][] = [
      ["d1", projections, () => this.sinks.project(projections)],
      ["audit", audits, () => this.sinks.audit(audits.flatMap((e) => e.events))],
      ["queue", sends, () => this.sinks.dispatch(sends)],
    ];
    const due = stages.filter(([, items]) => items.length > 0);
    const results = await Promise.allSettled(due.map(([, , send]) => send()));
    const delivered = new Set<OutboxEffect>();
    const failures: string[] = [];
    results.forEach((result, i) => {
      const [name, items] = due[i] as (typeof stages)[number];
      if (result.status === "fulfilled") for (const e of items) delivered.add(e);
      else failures.push(`${name}: ${String(result.reason)}`);
    });
    this.entries = this.entries.filter((e) => !delivered.has(e));
    this.kv.put("outbox", this.entries);
    this.failedAt = failures.length > 0 ? Date.now() : null;
    if (failures.length > 0) {
      console.error(
        JSON.stringify({
          level: "warn",
          msg: "outbox delivery deferred to alarm",
          ...this.label(),
          failures,
        }),
      );
    }
  }
}
