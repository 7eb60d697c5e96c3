/**
 * Owns the audit events the campaign object emits: one builder per kind of actor (a
 * request's caller, the system, a job), so every event carries the same tenancy fields.
 */
import type { AuditEvent } from "../../domain/audit-chain";
import type { JobRecord } from "../../domain/campaign-model";
import { completeAuditEvent } from "../audit-ledger";
import type { RequestMeta } from "./contract";
import type { OutboxEffect, ParkedEntry } from "./outbox";

/** The tenancy an event belongs to: the campaign's, or the create's before a campaign exists. */
export interface EventScope {
  id: string;
  organizationId: string;
  projectId: string;
}

export function actorEvent(
  scope: EventScope,
  meta: RequestMeta,
  eventType: string,
  data: Record<string, unknown>,
  verdictId: string | null = null,
  occurredAt?: string,
): AuditEvent {
  return completeAuditEvent({
    eventType,
    requestId: meta.requestId,
    organizationId: scope.organizationId,
    projectId: scope.projectId,
    apiKeyId: meta.actor.actorApiKeyId,
    actorType: meta.actor.actorType,
    verdictId,
    data,
    ...(occurredAt ? { occurredAt } : {}),
  });
}

export function systemEvent(
  scope: EventScope,
  eventType: string,
  data: Record<string, unknown>,
  occurredAt?: string,
): AuditEvent {
  return completeAuditEvent({
    eventType,
    requestId: null,
    organizationId: scope.organizationId,
    projectId: scope.projectId,
    apiKeyId: null,
    actorType: "system",
    verdictId: null,
    data: { campaignId: scope.id, ...data },
    ...(occurredAt ? { occurredAt } : {}),
  });
}

export function jobEvent(
  scope: EventScope,
  job: JobRecord,
  eventType: string,
  data: Record<string, unknown>,
): AuditEvent {
  return systemEvent(scope, eventType, { jobId: job.id, kind: job.kind, ...data });
}

/**
 * The audit-visible notice of a parked outbox entry, filed under the campaign's tenancy (or,
 * for an object that holds only a denied create's verdict, under that verdict's).
 */
export function parkedNotice(
  campaign: EventScope | null,
  entry: ParkedEntry,
  effect: OutboxEffect,
): AuditEvent | null {
  const first = effect.kind === "audit" ? effect.events[0] : undefined;
  const campaignId = campaign?.id ?? (first?.data.campaignId as string | undefined) ?? null;
  const scope =
    campaign ??
    (first?.projectId
      ? { id: campaignId ?? "", organizationId: first.organizationId, projectId: first.projectId }
      : null);
  if (!scope) return null;
  return systemEvent(scope, "outbox.parked", {
    campaignId,
    entryId: entry.id,
    effectKind: entry.kind,
    attempts: entry.attempts,
    lastError: entry.lastError,
    ...(effect.kind === "audit" ? { eventIds: effect.events.map((e) => e.eventId) } : {}),
    ...(effect.kind === "dispatch" ? { jobId: effect.message.jobId } : {}),
  });
}
