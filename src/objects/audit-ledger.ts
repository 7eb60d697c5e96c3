/**
 * One object per organization: the single writer of its audit hash chain. Appends are
 * serialized here, so the chain never forks however many campaign objects write at once.
 */
import { DurableObject } from "cloudflare:workers";
import { chainHead, existingAuditIds, insertChainedEvents } from "../db/audit";
import {
  type AuditEvent,
  type ChainedAuditEvent,
  chainHash,
  GENESIS_HASH,
  storedForm,
} from "../domain/audit-chain";
import { newId } from "../domain/ids";
import type { Env } from "../env";

interface Head {
  seq: number;
  hash: string;
}

export class AuditLedgerObject extends DurableObject<Env> {
  private head: Head | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  /** Appends events in order; events already in the chain (by id) are skipped, so redelivery is safe. */
  append(events: AuditEvent[]): Promise<number> {
    const run = this.tail.then(() => this.appendSerially(events));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendSerially(events: AuditEvent[]): Promise<number> {
    const organizationId = events[0]?.organizationId;
    if (!organizationId) return 0;
    if (events.some((e) => e.organizationId !== organizationId)) {
      throw new Error("one ledger append takes events of one organization");
    }
    if (!this.head) {
      this.head = (await chainHead(this.env.DB, organizationId)) ?? { seq: 0, hash: GENESIS_HASH };
    }
    const already = await existingAuditIds(
      this.env.DB,
      events.map((e) => e.eventId),
    );
    const chained: ChainedAuditEvent[] = [];
    let { seq, hash } = this.head;
    for (const event of events.map(storedForm)) {
      if (already.has(event.eventId) || chained.some((c) => c.eventId === event.eventId)) continue;
      seq += 1;
      const next = await chainHash(event, seq, hash);
      chained.push({ ...event, seq, prevHash: hash, hash: next });
      hash = next;
    }
    try {
      await insertChainedEvents(this.env.DB, chained);
    } catch (error) {
      // Our view of the head may be stale (another writer, or a lost acknowledgement): reload it next time.
      this.head = null;
      throw error;
    }
    this.head = { seq, hash };
    return chained.length;
  }
}

export function auditLedger(env: Env, organizationId: string): DurableObjectStub<AuditLedgerObject> {
  return env.AUDIT_LEDGERS.get(env.AUDIT_LEDGERS.idFromName(organizationId));
}

export type AuditEventInput = Omit<AuditEvent, "eventId" | "occurredAt"> & {
  eventId?: string;
  occurredAt?: string;
};

export function completeAuditEvent(input: AuditEventInput): AuditEvent {
  return {
    ...input,
    eventId: input.eventId ?? newId("event"),
    occurredAt: input.occurredAt ?? new Date().toISOString(),
  };
}

/** Appends events (one organization's) to that organization's chain. */
export async function recordAudit(env: Env, inputs: AuditEventInput[]): Promise<void> {
  const events = inputs.map(completeAuditEvent);
  const organizationId = events[0]?.organizationId;
  if (!organizationId) return;
  await auditLedger(env, organizationId).append(events);
}
