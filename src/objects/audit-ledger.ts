/**
 * One object per organization: the single writer of its audit hash chain and of its webhook
 * events. An append chains the events and, in ONE storage transaction, records them in this
 * object's outbox together with the webhook events (and deliveries) they stand for; the
 * outbox then delivers the rows to D1 and the deliveries to the webhook queue, and the alarm
 * redelivers whatever did not land. So neither an audit row nor its webhook event is lost
 * when D1 or the queue fails half-way, and each keeps its id across every retry.
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
import { ifMatchHolds } from "../domain/etags";
import { newId } from "../domain/ids";
import type { Env } from "../env";
import { logLine } from "../observability/log";
import { webhookEventsFor } from "../webhooks/catalogue";
import type { WebhookMessage } from "../webhooks/messages";
import {
  type DeliveryPlan,
  type DeliveryView,
  type EndpointInput,
  type EndpointPatch,
  type EndpointView,
  WebhookStore,
} from "../webhooks/store";
import { endpointEtag } from "../webhooks/views";

const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS chain_head (
  id INTEGER PRIMARY KEY CHECK (id = 1), organization_id TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS appended_ids (id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS audit_outbox (seq INTEGER PRIMARY KEY, event TEXT NOT NULL);
`;

/** Audit rows per D1 batch: every row waiting goes in as few batches as this allows. */
const D1_PAGE = 100;
const OUTBOX_RETRY_MS = 2_000;
/**
 * How long after an append its D1 pass starts (after_response): every append arriving in the
 * window shares the pass's D1 batch, so under load the ledger makes a few passes a second
 * instead of one per write.
 */
const DELIVERY_COALESCE_MS = 50;
const OUTBOX_RETRY_MAX_MS = 60_000;
/** Settled webhook deliveries (and their events) stay replayable this long. */
const WEBHOOK_HISTORY_MS = 30 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

interface Head {
  seq: number;
  hash: string;
}

export class AuditLedgerObject extends DurableObject<Env> {
  private readonly webhooks: WebhookStore;
  private tail: Promise<unknown> = Promise.resolve();
  private delivering: Promise<void> = Promise.resolve();
  /** The delivery pass waiting to start: appends arriving meanwhile join it. */
  private queued: Promise<void> | null = null;
  /** The coalesced pass waiting for its window to close. */
  private soon: Promise<void> | null = null;
  /** The alarm this instance set last (null: unknown or fired). */
  private alarmAt: number | null = null;
  private deliveryFailures = 0;
  private prunedAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(LEDGER_SCHEMA);
    this.webhooks = new WebhookStore(ctx.storage.sql);
  }

  // ---------------------------------------------------------------- the audit chain

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
    this.remember(organizationId);
    let { seq, hash } = await this.head(organizationId, events);
    const sql = this.ctx.storage.sql;
    const fresh = events
      .filter((e, i) => events.findIndex((o) => o.eventId === e.eventId) === i)
      .filter((e) => sql.exec("SELECT 1 FROM appended_ids WHERE id = ?", e.eventId).toArray().length === 0);
    const chained: ChainedAuditEvent[] = [];
    for (const event of fresh.map(storedForm)) {
      seq += 1;
      const next = await chainHash(event, seq, hash);
      chained.push({ ...event, seq, prevHash: hash, hash: next });
      hash = next;
    }
    if (chained.length > 0) {
      const now = Date.now();
      this.ctx.storage.transactionSync(() => {
        for (const event of chained) {
          sql.exec("INSERT INTO appended_ids (id) VALUES (?)", event.eventId);
          sql.exec("INSERT INTO audit_outbox (seq, event) VALUES (?, ?)", event.seq, JSON.stringify(event));
        }
        sql.exec("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1", seq, hash);
        this.webhooks.recordEvents(chained.flatMap(webhookEventsFor), now);
      });
    }
    if (this.env.OUTBOX_DELIVERY === "before_response") {
      await this.deliver();
    } else {
      // Durable in this object's outbox: answer now; one D1 batch carries every append that
      // arrives before the pass starts, and the alarm redelivers what does not land.
      this.backstop(Date.now() + OUTBOX_RETRY_MS);
      this.deliverSoon();
    }
    return chained.length;
  }

  /**
   * The chain's head, kept in this object. An object that has none yet (a new organization,
   * or one whose chain predates this storage) starts from D1's head and takes the ids of this
   * append that D1 already holds as appended.
   */
  private async head(organizationId: string, events: AuditEvent[]): Promise<Head> {
    const sql = this.ctx.storage.sql;
    const row = sql.exec("SELECT seq, hash FROM chain_head WHERE id = 1").toArray()[0];
    if (row) return { seq: Number(row.seq), hash: String(row.hash) };
    const stored = (await chainHead(this.env.DB, organizationId)) ?? { seq: 0, hash: GENESIS_HASH };
    const already = await existingAuditIds(
      this.env.DB,
      events.map((e) => e.eventId),
    );
    this.ctx.storage.transactionSync(() => {
      sql.exec(
        "INSERT INTO chain_head (id, organization_id, seq, hash) VALUES (1, ?, ?, ?)",
        organizationId,
        stored.seq,
        stored.hash,
      );
      for (const id of already) sql.exec("INSERT OR IGNORE INTO appended_ids (id) VALUES (?)", id);
    });
    return stored;
  }

  private remember(organizationId: string): void {
    const kv = this.ctx.storage.kv;
    if (kv.get("organizationId") === undefined) kv.put("organizationId", organizationId);
  }

  // ---------------------------------------------------------------- the outbox

  /** Delivers the outbox, one delivery at a time; what fails stays for the alarm. */
  private deliver(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.delivering.then(() => {
      this.queued = null;
      return this.deliverOnce();
    });
    this.queued = run;
    this.delivering = run.catch(() => undefined);
    return run;
  }

  private deliverSoon(): void {
    if (this.soon) return;
    this.soon = new Promise<void>((resolve) => setTimeout(resolve, DELIVERY_COALESCE_MS)).then(() => {
      this.soon = null;
      return this.deliver();
    });
    this.ctx.waitUntil(this.soon);
  }

  /** Sets the alarm for `at` unless one this instance set is already due by then. */
  private backstop(at: number): void {
    if (this.alarmAt !== null && this.alarmAt > Date.now() && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private async deliverOnce(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const failures: string[] = [];
    for (;;) {
      const rows = sql.exec("SELECT seq, event FROM audit_outbox ORDER BY seq LIMIT ?", D1_PAGE).toArray();
      if (rows.length === 0) break;
      try {
        await insertChainedEvents(
          this.env.DB,
          rows.map((r) => JSON.parse(String(r.event)) as ChainedAuditEvent),
        );
        const last = Number(rows.at(-1)?.seq);
        sql.exec("DELETE FROM audit_outbox WHERE seq <= ?", last);
      } catch (error) {
        failures.push(`d1: ${String(error)}`);
        break;
      }
    }
    const organizationId = this.ctx.storage.kv.get<string>("organizationId");
    const due = organizationId ? this.webhooks.dueToSend(Date.now()) : [];
    if (organizationId && due.length > 0) {
      try {
        const messages: { body: WebhookMessage }[] = due.map((deliveryId) => ({
          body: { organizationId, deliveryId },
        }));
        await this.env.WEBHOOK_QUEUE.sendBatch(messages);
        this.webhooks.markSent(due, Date.now());
      } catch (error) {
        failures.push(`queue: ${String(error)}`);
      }
    }
    if (Date.now() - this.prunedAt > PRUNE_EVERY_MS) {
      this.prunedAt = Date.now();
      this.webhooks.forgetSettled(Date.now() - WEBHOOK_HISTORY_MS);
    }
    this.deliveryFailures = failures.length > 0 ? this.deliveryFailures + 1 : 0;
    if (failures.length > 0) {
      logLine({ level: "warn", msg: "ledger.outbox_deferred", organizationId, failures });
    }
    await this.scheduleAlarm();
  }

  private async scheduleAlarm(): Promise<void> {
    const times: number[] = [];
    const pendingRows = this.ctx.storage.sql.exec("SELECT COUNT(*) AS n FROM audit_outbox").one().n;
    const retryIn = Math.min(
      OUTBOX_RETRY_MAX_MS,
      OUTBOX_RETRY_MS * 2 ** Math.max(0, this.deliveryFailures - 1),
    );
    if (Number(pendingRows) > 0) times.push(Date.now() + retryIn);
    const webhookWake = this.webhooks.nextWakeMs();
    if (webhookWake !== null)
      times.push(Math.max(webhookWake, this.deliveryFailures > 0 ? Date.now() + retryIn : 0));
    if (times.length > 0) {
      this.alarmAt = Math.min(...times);
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    await this.deliver();
  }

  // ---------------------------------------------------------------- webhook endpoints

  createWebhookEndpoint(
    organizationId: string,
    input: EndpointInput,
  ): { endpoint: EndpointView; secret: string } {
    this.remember(organizationId);
    return this.webhooks.createEndpoint(input, new Date().toISOString());
  }

  listWebhookEndpoints(afterId: string | null, limit: number): EndpointView[] {
    return this.webhooks.listEndpoints(afterId, limit);
  }

  getWebhookEndpoint(endpointId: string): EndpointView | null {
    return this.webhooks.getEndpoint(endpointId);
  }

  /** Null when there is no such endpoint; `stale` when If-Match names another version. */
  updateWebhookEndpoint(
    endpointId: string,
    patch: EndpointPatch,
    ifMatch: string | null,
  ): EndpointView | "stale" | null {
    const current = this.webhooks.getEndpoint(endpointId);
    if (!current) return null;
    if (ifMatch && !ifMatchHolds(ifMatch, endpointEtag(current))) return "stale";
    return this.webhooks.updateEndpoint(endpointId, patch, new Date().toISOString());
  }

  deleteWebhookEndpoint(endpointId: string): boolean {
    return this.webhooks.deleteEndpoint(endpointId);
  }

  rotateWebhookSecret(endpointId: string): { endpoint: EndpointView; secret: string } | null {
    return this.webhooks.rotateSecret(endpointId, new Date());
  }

  /** Sends `test.ping` to one endpoint, whatever it subscribed to. */
  async pingWebhookEndpoint(
    organizationId: string,
    endpointId: string,
  ): Promise<{ eventId: string; delivery: DeliveryView } | null> {
    this.remember(organizationId);
    const endpoint = this.webhooks.getEndpoint(endpointId);
    if (!endpoint) return null;
    const now = new Date();
    const [event] = this.ctx.storage.transactionSync(() =>
      this.webhooks.recordEvents(
        [
          {
            type: "test.ping",
            createdAt: now.toISOString(),
            organizationId,
            projectId: endpoint.projectId,
            data: { endpointId, message: "A test event from the Ads Partner API." },
          },
        ],
        now.getTime(),
        endpointId,
      ),
    );
    if (!event) return null;
    await this.deliver();
    const [delivery] = this.webhooks.listDeliveries(endpointId, null, 1);
    return delivery ? { eventId: event.id, delivery } : null;
  }

  listWebhookDeliveries(endpointId: string, beforeId: string | null, limit: number): DeliveryView[] | null {
    if (!this.webhooks.getEndpoint(endpointId)) return null;
    return this.webhooks.listDeliveries(endpointId, beforeId, limit);
  }

  async replayWebhookDelivery(deliveryId: string): Promise<DeliveryView | null> {
    const replay = this.webhooks.replay(deliveryId, Date.now());
    if (replay) await this.deliver();
    return replay;
  }

  // ---------------------------------------------------------------- delivery attempts (the consumer)

  startWebhookAttempt(deliveryId: string): DeliveryPlan | null {
    return this.webhooks.startAttempt(deliveryId, new Date());
  }

  async finishWebhookAttempt(
    deliveryId: string,
    attempt: number,
    answer: { responseStatus: number | null; error: string | null },
  ): Promise<DeliveryView | null> {
    const view = this.webhooks.finishAttempt(
      deliveryId,
      attempt,
      answer,
      new Date(),
      webhookBackoffBase(this.env),
    );
    await this.scheduleAlarm();
    return view;
  }
}

/** Seconds the webhook retry ladder is scaled by: 30 in production, about 1 in dev and tests. */
export function webhookBackoffBase(env: Env): number {
  const value = Number(env.WEBHOOK_BACKOFF_BASE_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : 30;
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
