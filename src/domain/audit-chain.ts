/** The per-organization hash chain over audit events: canonical form and hashing. */

export interface AuditEvent {
  eventId: string;
  eventType: string;
  occurredAt: string;
  requestId: string | null;
  organizationId: string;
  projectId: string | null;
  apiKeyId: string | null;
  actorType: string | null;
  verdictId: string | null;
  data: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

/**
 * The event exactly as its D1 row will read back: only the stored fields, absent ones as
 * null, `data` through JSON. The ledger hashes this form, so what is hashed is what is stored
 * (a Date in `data`, an undefined field or an extra property would otherwise hash differently).
 */
export function storedForm(event: AuditEvent): AuditEvent {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    requestId: event.requestId ?? null,
    organizationId: event.organizationId,
    projectId: event.projectId ?? null,
    apiKeyId: event.apiKeyId ?? null,
    actorType: event.actorType ?? null,
    verdictId: event.verdictId ?? null,
    data: JSON.parse(JSON.stringify(event.data ?? {})) as Record<string, unknown>,
  };
}

/** The hash a chain starts from. */
export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An event's hash covers its position, its predecessor's hash and every field it has. */
export function chainHash(event: AuditEvent, seq: number, prevHash: string): Promise<string> {
  return sha256Hex(canonicalJson({ ...event, seq, prevHash }));
}
