/**
 * Owns the webhook event catalogue and its derivation from audit events: which audit event
 * becomes which webhook event(s), and what each payload carries. Pure, no I/O.
 */
import type { ChainedAuditEvent } from "../domain/audit-chain";

export const WEBHOOK_EVENT_TYPES = [
  "job.completed",
  "job.failed",
  "job.canceled",
  "pending_action.created",
  "pending_action.approved",
  "pending_action.rejected",
  "pending_action.expired",
  "campaign.status_changed",
  "authority.changed",
  "defaults.changed",
  "ad_account.connected",
  "ad_account.needs_reauth",
  "ad_account.revoked",
  "ad.review_changed",
  "api_key.killed",
  "test.ping",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an endpoint may subscribe to: the catalogue, or everything. */
export const SUBSCRIBABLE = new Set<string>(WEBHOOK_EVENT_TYPES);

/** The JSON body of a delivery. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  organizationId: string;
  projectId: string | null;
  data: Record<string, unknown>;
}

export type WebhookEventDraft = Omit<WebhookEvent, "id">;

/** Audit event types that map one-to-one to a catalogue type. */
const DIRECT: Record<string, WebhookEventType> = {
  "job.completed": "job.completed",
  "job.failed": "job.failed",
  "job.canceled": "job.canceled",
  "pending.created": "pending_action.created",
  "pending.approved": "pending_action.approved",
  "pending.rejected": "pending_action.rejected",
  "pending.expired": "pending_action.expired",
  "pending_action.created": "pending_action.created",
  "pending_action.approved": "pending_action.approved",
  "pending_action.rejected": "pending_action.rejected",
  "pending_action.expired": "pending_action.expired",
  "campaign.status_changed": "campaign.status_changed",
  "authority.changed": "authority.changed",
  "defaults.changed": "defaults.changed",
  "ad_account.connected": "ad_account.connected",
  "ad_account.needs_reauth": "ad_account.needs_reauth",
  "ad_account.revoked": "ad_account.revoked",
  // Committed with the status change by the account status's single writer (the layer object).
  "ad_account.token_invalid": "ad_account.needs_reauth",
  "ad_account.disconnected": "ad_account.revoked",
  "ad.review_changed": "ad.review_changed",
  "api_key.killed": "api_key.killed",
};

/** A job of this kind, completed, leaves its campaign in this status. */
const STATUS_AFTER_JOB: Record<string, string> = {
  ads_create_campaign: "active",
  ads_resume_campaign: "active",
  ads_pause_campaign: "paused",
  ads_delete_campaign: "deleted",
};

/**
 * The webhook events an audit event stands for (often none: verdicts, retries, auth
 * failures are audit-only). `data` carries the audit event's data plus `resourceVersion`:
 * the resource's own version when the audit event has one, else the event's position in
 * the organization's chain — either way later changes carry larger numbers.
 */
export function webhookEventsFor(audit: ChainedAuditEvent): WebhookEventDraft[] {
  const resourceVersion = typeof audit.data.version === "number" ? audit.data.version : audit.seq;
  const base = {
    createdAt: audit.occurredAt,
    organizationId: audit.organizationId,
    projectId: audit.projectId,
  };
  const drafts: WebhookEventDraft[] = [];
  const direct = DIRECT[audit.eventType];
  if (direct) {
    drafts.push({
      ...base,
      type: direct,
      data: { ...audit.data, auditEventId: audit.eventId, resourceVersion },
    });
  }
  const campaignId = typeof audit.data.campaignId === "string" ? audit.data.campaignId : null;
  const status = campaignId ? campaignStatusAfter(audit) : null;
  if (campaignId && status && direct !== "campaign.status_changed") {
    drafts.push({
      ...base,
      type: "campaign.status_changed",
      data: {
        campaignId,
        status,
        cause: audit.eventType,
        ...(typeof audit.data.jobId === "string" ? { jobId: audit.data.jobId } : {}),
        auditEventId: audit.eventId,
        resourceVersion,
      },
    });
  }
  return drafts;
}

function campaignStatusAfter(audit: ChainedAuditEvent): string | null {
  const kind = typeof audit.data.kind === "string" ? audit.data.kind : "";
  const actionType = typeof audit.data.actionType === "string" ? audit.data.actionType : "";
  switch (audit.eventType) {
    case "job.completed":
      return STATUS_AFTER_JOB[kind] ?? null;
    case "job.failed":
      return kind === "ads_create_campaign" ? "failed" : null;
    case "pending.rejected":
    case "pending.expired":
      return actionType === "create_campaign" ? "rejected" : null;
    case "campaign.drift_detected":
      return driftedStatus(audit.data.changes);
    default:
      return null;
  }
}

/** A re-sync found the platform's status changed (or the campaign gone: `deleted`). */
function driftedStatus(changes: unknown): string | null {
  if (!Array.isArray(changes)) return null;
  const status = changes.find((c) => typeof c === "object" && c !== null && c.field === "status");
  return typeof status?.to === "string" ? status.to : null;
}

/** Whether an endpoint subscribed to these types (and scoped to this project) takes the event. */
export function endpointWants(
  endpoint: { events: string[]; projectId: string | null },
  event: Pick<WebhookEvent, "type" | "projectId">,
): boolean {
  if (endpoint.projectId && endpoint.projectId !== event.projectId) return false;
  return endpoint.events.includes("*") || endpoint.events.includes(event.type);
}
