/** Owns how stored webhook rows read back: the endpoint and delivery shapes the API answers with. */

export type EndpointStatus = "active" | "disabled" | "auto_paused";
export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface EndpointView {
  endpointId: string;
  url: string;
  description: string | null;
  events: string[];
  projectId: string | null;
  status: EndpointStatus;
  mode: "live" | "test";
  consecutiveFailures: number;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryView {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  replayOf: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An endpoint's entity tag: any change (a PATCH, a rotation, a failure count) gives a new one. */
export const endpointEtag = (e: EndpointView) =>
  `"w${Date.parse(e.updatedAt)}.${e.consecutiveFailures}.${e.previousSecretExpiresAt ? Date.parse(e.previousSecretExpiresAt) : 0}"`;

type Row = Record<string, SqlStorageValue>;

type Value = SqlStorageValue | undefined;
export const str = (v: Value): string => String(v);
export const strOrNull = (v: Value): string | null => (v === null || v === undefined ? null : String(v));
const iso = (ms: Value): string | null =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

export function endpointView(row: Row): EndpointView {
  return {
    endpointId: str(row.id),
    url: str(row.url),
    description: strOrNull(row.description),
    events: JSON.parse(str(row.events)) as string[],
    projectId: strOrNull(row.project_id),
    status: str(row.status) as EndpointStatus,
    mode: str(row.mode) as "live" | "test",
    consecutiveFailures: Number(row.consecutive_failures),
    previousSecretExpiresAt: strOrNull(row.previous_secret_expires_at),
    createdAt: str(row.created_at),
    updatedAt: str(row.updated_at),
  };
}

export function deliveryView(row: Row): DeliveryView {
  return {
    deliveryId: str(row.id),
    endpointId: str(row.endpoint_id),
    eventId: str(row.event_id),
    eventType: str(row.event_type),
    status: str(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    lastResponseStatus: row.last_response_status === null ? null : Number(row.last_response_status),
    lastError: strOrNull(row.last_error),
    nextAttemptAt: row.status === "pending" ? iso(row.next_attempt_at) : null,
    replayOf: strOrNull(row.replay_of),
    createdAt: str(row.created_at),
    updatedAt: str(row.updated_at),
  };
}
