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

/** How many appended ids an instance remembers before it forgets them and asks D1 again. */
const REMEMBERED_IDS = 100_000;

export class AuditLedgerObject extends DurableObject<Env> {
  private head: Head | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  /** Ids this instance appended; a redelivery of one of them is skipped without asking D1. */
  private readonly appended = new Set<string>();

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
    const fresh = events.filter(
      (e, i) => !this.appended.has(e.eventId) && events.findIndex((o) => o.eventId === e.eventId) === i,
    );
    try {
      return await this.chainAndInsert(organizationId, fresh, new Set());
    } catch {
      // Some may already be in D1 from an earlier life of this object (its acknowledgement
      // lost), or the head moved: reload the head, ask D1 which ids it holds, and try once more.
      this.head = null;
      const already = await existingAuditIds(
        this.env.DB,
        fresh.map((e) => e.eventId),
      );
      return this.chainAndInsert(organizationId, fresh, already);
    }
  }

  private async chainAndInsert(
    organizationId: string,
    events: AuditEvent[],
    skip: Set<string>,
  ): Promise<number> {
    if (!this.head) {
      this.head = (await chainHead(this.env.DB, organizationId)) ?? { seq: 0, hash: GENESIS_HASH };
    }
    const chained: ChainedAuditEvent[] = [];
    let { seq, hash } = this.head;
    for (const event of events.map(storedForm)) {
      if (skip.has(event.eventId)) continue;
      seq += 1;
      const next = await chainHash(event, seq, hash);
      chained.push({ ...event, seq, prevHash: hash, hash: next });
      hash = next;
    }
    try {
      await insertChainedEvents(this.env.DB, chained);
    } catch (error) {
      this.head = null;
      throw error;
    }
    this.head = { seq, hash };
    if (this.appended.size + chained.length > REMEMBERED_IDS) this.appended.clear();
    for (const event of [...chained, ...events.filter((e) => skip.has(e.eventId))])
      this.appended.add(event.eventId);
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
