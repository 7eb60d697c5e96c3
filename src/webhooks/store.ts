/**
 * Owns an organization's webhook state inside its audit ledger object's SQLite storage:
 * endpoints, events, deliveries (the delivery outbox). Synchronous, so the ledger can write
 * webhook events in the same storage transaction as the audit events they come from.
 */
import { newId } from "../domain/ids";
import { endpointWants, type WebhookEvent, type WebhookEventDraft } from "./catalogue";
import { AUTO_PAUSE_AFTER, classifyAnswer, webhookRetryDelayMs } from "./retry";
import { type DeliveryView, deliveryView, type EndpointView, endpointView, str, strOrNull } from "./views";

export type { DeliveryStatus, DeliveryView, EndpointStatus, EndpointView } from "./views";

/** What the delivery consumer needs for one attempt. */
export interface DeliveryPlan {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  url: string;
  body: string;
  /** The current secret, then the previous one while it is still valid. */
  secrets: string[];
}

export interface EndpointInput {
  url: string;
  events: string[];
  description: string | null;
  projectId: string | null;
  mode: "live" | "test";
}

export interface EndpointPatch {
  url?: string;
  events?: string[];
  description?: string | null;
  status?: "active" | "disabled";
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id TEXT PRIMARY KEY, project_id TEXT, url TEXT NOT NULL, description TEXT, events TEXT NOT NULL,
  status TEXT NOT NULL, mode TEXT NOT NULL, secret TEXT NOT NULL, previous_secret TEXT,
  previous_secret_expires_at TEXT, consecutive_failures INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_events (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id TEXT PRIMARY KEY, event_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, last_response_status INTEGER, last_error TEXT,
  next_attempt_at INTEGER, sent_at INTEGER, replay_of TEXT,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, sent_at, next_attempt_at);
`;

/** The previous secret keeps verifying this long after a rotation. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;
/** A delivery handed to the queue without an answer after this long is handed over again. */
const SEND_STALL_MS = 5 * 60 * 1000;

export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export class WebhookStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  // ------------------------------------------------------------------ endpoints

  createEndpoint(input: EndpointInput, now: string): { endpoint: EndpointView; secret: string } {
    const id = newId("webhookEndpoint");
    const secret = newWebhookSecret();
    this.sql.exec(
      `INSERT INTO webhook_endpoints (id, project_id, url, description, events, status, mode, secret, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)`,
      id,
      input.projectId,
      input.url,
      input.description,
      JSON.stringify(input.events),
      input.mode,
      secret,
      now,
      now,
    );
    return { endpoint: this.getEndpoint(id) as EndpointView, secret };
  }

  getEndpoint(id: string): EndpointView | null {
    const row = this.sql.exec("SELECT * FROM webhook_endpoints WHERE id = ?", id).toArray()[0];
    return row ? endpointView(row) : null;
  }

  listEndpoints(afterId: string | null, limit: number): EndpointView[] {
    return this.sql
      .exec("SELECT * FROM webhook_endpoints WHERE id > ? ORDER BY id LIMIT ?", afterId ?? "", limit)
      .toArray()
      .map(endpointView);
  }

  updateEndpoint(id: string, patch: EndpointPatch, now: string): EndpointView | null {
    const current = this.getEndpoint(id);
    if (!current) return null;
    const status = patch.status ?? current.status;
    this.sql.exec(
      `UPDATE webhook_endpoints SET url = ?, events = ?, description = ?, status = ?, updated_at = ?,
       consecutive_failures = CASE WHEN ? = 'active' AND status <> 'active' THEN 0 ELSE consecutive_failures END
       WHERE id = ?`,
      patch.url ?? current.url,
      JSON.stringify(patch.events ?? current.events),
      patch.description === undefined ? current.description : patch.description,
      status,
      now,
      status,
      id,
    );
    return this.getEndpoint(id);
  }

  deleteEndpoint(id: string): boolean {
    const found = this.getEndpoint(id) !== null;
    this.sql.exec("DELETE FROM webhook_endpoints WHERE id = ?", id);
    this.sql.exec(
      "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted' WHERE endpoint_id = ? AND status = 'pending'",
      id,
    );
    return found;
  }

  /** A new secret; the one it replaces keeps verifying for 24 hours. */
  rotateSecret(id: string, now: Date): { endpoint: EndpointView; secret: string } | null {
    if (!this.getEndpoint(id)) return null;
    const secret = newWebhookSecret();
    this.sql.exec(
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ?, secret = ?, updated_at = ?
       WHERE id = ?`,
      new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS).toISOString(),
      secret,
      now.toISOString(),
      id,
    );
    return { endpoint: this.getEndpoint(id) as EndpointView, secret };
  }

  // ------------------------------------------------------------------ events and the outbox

  /** Records events and a delivery for every active endpoint that wants each; returns the event ids. */
  recordEvents(drafts: WebhookEventDraft[], nowMs: number, onlyEndpointId?: string): WebhookEvent[] {
    if (drafts.length === 0) return [];
    const endpoints = this.sql
      .exec("SELECT id, events, project_id, status FROM webhook_endpoints")
      .toArray()
      .filter((e) => (onlyEndpointId ? e.id === onlyEndpointId : e.status === "active"))
      .map((e) => ({
        id: str(e.id),
        wants: { events: JSON.parse(str(e.events)) as string[], projectId: strOrNull(e.project_id) },
      }));
    // Most organizations have no endpoint: then no event is recorded at all.
    if (endpoints.length === 0) return [];
    const recorded: WebhookEvent[] = [];
    for (const draft of drafts) {
      const targets = endpoints.filter((e) => onlyEndpointId !== undefined || endpointWants(e.wants, draft));
      if (targets.length === 0) continue;
      const event: WebhookEvent = { id: newId("event"), ...draft };
      this.sql.exec(
        "INSERT INTO webhook_events (id, type, created_at, body) VALUES (?, ?, ?, ?)",
        event.id,
        event.type,
        event.createdAt,
        JSON.stringify(event),
      );
      for (const target of targets) this.insertDelivery(event.id, target.id, nowMs, null);
      recorded.push(event);
    }
    return recorded;
  }

  private insertDelivery(
    eventId: string,
    endpointId: string,
    nowMs: number,
    replayOf: string | null,
  ): string {
    const id = newId("webhookDelivery");
    const at = new Date(nowMs).toISOString();
    this.sql.exec(
      `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, status, next_attempt_at, replay_of, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`,
      id,
      eventId,
      endpointId,
      nowMs,
      replayOf,
      at,
      at,
    );
    return id;
  }

  /** The same event again, to the same endpoint, under a new delivery id. */
  replay(deliveryId: string, nowMs: number): DeliveryView | null {
    const original = this.getDelivery(deliveryId);
    if (!original || !this.getEndpoint(original.endpointId)) return null;
    return this.getDelivery(this.insertDelivery(original.eventId, original.endpointId, nowMs, deliveryId));
  }

  /** Deliveries due to go to the queue now (never sent, due, or sent long ago without an answer). */
  dueToSend(nowMs: number, limit = 100): string[] {
    return this.sql
      .exec(
        `SELECT id FROM webhook_deliveries WHERE status = 'pending'
         AND ((sent_at IS NULL AND next_attempt_at <= ?) OR (sent_at IS NOT NULL AND sent_at < ?))
         ORDER BY next_attempt_at LIMIT ?`,
        nowMs,
        nowMs - SEND_STALL_MS,
        limit,
      )
      .toArray()
      .map((r) => str(r.id));
  }

  markSent(ids: string[], nowMs: number): void {
    for (const id of ids) this.sql.exec("UPDATE webhook_deliveries SET sent_at = ? WHERE id = ?", nowMs, id);
  }

  /** When the outbox next needs the alarm: a retry falling due, or a sent delivery to watch. */
  nextWakeMs(): number | null {
    const row = this.sql
      .exec(
        `SELECT MIN(CASE WHEN sent_at IS NULL THEN next_attempt_at ELSE sent_at + ? END) AS at
         FROM webhook_deliveries WHERE status = 'pending'`,
        SEND_STALL_MS,
      )
      .toArray()[0];
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  /** Forgets settled deliveries older than the cut-off, and events no delivery points at any more. */
  forgetSettled(beforeMs: number): void {
    this.sql.exec(
      "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < ?",
      new Date(beforeMs).toISOString(),
    );
    this.sql.exec("DELETE FROM webhook_events WHERE id NOT IN (SELECT event_id FROM webhook_deliveries)");
  }

  // ------------------------------------------------------------------ attempts

  /** Starts an attempt: null when there is nothing to do (settled, or its endpoint switched off). */
  startAttempt(deliveryId: string, now: Date): DeliveryPlan | null {
    const row = this.sql.exec("SELECT * FROM webhook_deliveries WHERE id = ?", deliveryId).toArray()[0];
    if (row?.status !== "pending") return null;
    const endpoint = this.sql
      .exec("SELECT * FROM webhook_endpoints WHERE id = ?", row.endpoint_id)
      .toArray()[0];
    const event = this.sql.exec("SELECT * FROM webhook_events WHERE id = ?", row.event_id).toArray()[0];
    if (!endpoint || !event || endpoint.status !== "active") {
      this.settle(
        deliveryId,
        "failed",
        null,
        endpoint ? `endpoint ${str(endpoint.status)}` : "endpoint deleted",
        now,
      );
      return null;
    }
    const attempt = Number(row.attempts) + 1;
    this.sql.exec(
      "UPDATE webhook_deliveries SET attempts = ?, updated_at = ? WHERE id = ?",
      attempt,
      now.toISOString(),
      deliveryId,
    );
    const previousValid =
      endpoint.previous_secret !== null &&
      Date.parse(str(endpoint.previous_secret_expires_at)) > now.getTime();
    return {
      deliveryId,
      endpointId: str(endpoint.id),
      eventId: str(event.id),
      eventType: str(event.type),
      attempt,
      url: str(endpoint.url),
      body: str(event.body),
      secrets: [str(endpoint.secret), ...(previousValid ? [str(endpoint.previous_secret)] : [])],
    };
  }

  /** Records an attempt's answer; returns the delivery after it. */
  finishAttempt(
    deliveryId: string,
    attempt: number,
    answer: { responseStatus: number | null; error: string | null },
    now: Date,
    backoffBaseSeconds: number,
  ): DeliveryView | null {
    const row = this.sql.exec("SELECT * FROM webhook_deliveries WHERE id = ?", deliveryId).toArray()[0];
    if (row?.status !== "pending" || Number(row.attempts) !== attempt) return this.getDelivery(deliveryId);
    const verdict = classifyAnswer(answer.responseStatus);
    const delayMs = verdict === "retry" ? webhookRetryDelayMs(attempt, backoffBaseSeconds) : null;
    if (verdict === "delivered") {
      this.settle(deliveryId, "delivered", answer.responseStatus, null, now);
    } else if (delayMs !== null) {
      this.sql.exec(
        `UPDATE webhook_deliveries SET last_response_status = ?, last_error = ?, next_attempt_at = ?, sent_at = NULL,
         updated_at = ? WHERE id = ?`,
        answer.responseStatus,
        answer.error,
        now.getTime() + delayMs,
        now.toISOString(),
        deliveryId,
      );
    } else {
      this.settle(deliveryId, "failed", answer.responseStatus, answer.error, now);
    }
    return this.getDelivery(deliveryId);
  }

  private settle(
    deliveryId: string,
    status: "delivered" | "failed",
    responseStatus: number | null,
    error: string | null,
    now: Date,
  ): void {
    const row = this.sql
      .exec("SELECT endpoint_id FROM webhook_deliveries WHERE id = ?", deliveryId)
      .toArray()[0];
    this.sql.exec(
      `UPDATE webhook_deliveries SET status = ?, last_response_status = COALESCE(?, last_response_status),
       last_error = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?`,
      status,
      responseStatus,
      error,
      now.toISOString(),
      deliveryId,
    );
    if (!row) return;
    if (status === "delivered") {
      this.sql.exec("UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = ?", row.endpoint_id);
      return;
    }
    this.sql.exec(
      `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
       status = CASE WHEN status = 'active' AND consecutive_failures + 1 >= ? THEN 'auto_paused' ELSE status END,
       updated_at = ? WHERE id = ?`,
      AUTO_PAUSE_AFTER,
      now.toISOString(),
      row.endpoint_id,
    );
  }

  // ------------------------------------------------------------------ reads

  getDelivery(id: string): DeliveryView | null {
    const row = this.sql
      .exec(
        "SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.id = ?",
        id,
      )
      .toArray()[0];
    return row ? deliveryView(row) : null;
  }

  /** Newest first. */
  listDeliveries(endpointId: string, beforeId: string | null, limit: number): DeliveryView[] {
    return this.sql
      .exec(
        `SELECT d.*, e.type AS event_type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         WHERE d.endpoint_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?`,
        endpointId,
        beforeId ?? "~",
        limit,
      )
      .toArray()
      .map(deliveryView);
  }
}
