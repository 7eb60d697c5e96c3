/**
 * Owns the shapes of the log lines that are not requests: one per dispatch attempt and one
 * per webhook delivery. Callers build the fields here and print them with `logLine`, so every
 * such line has the same names Workers Logs can filter on (`msg`, ids, `outcome`, …).
 */

export type DispatchOutcome = "succeeded" | "retrying" | "failed" | "rejected" | "held";

export interface DispatchAttempt {
  jobId: string;
  campaignId: string;
  organizationId?: string | null;
  platform: string;
  /** 1-based attempt number. */
  attempt: number;
  outcome: DispatchOutcome;
  /** The platform's own error code, when it answered with one. */
  platformCode?: string | null;
  durationMs: number;
  /** Our error code for a failed or retried attempt (`PLATFORM_ERROR`, `PLATFORM_REJECTED`). */
  errorCode?: string | null;
}

/** `logLine(dispatchAttemptFields({ … }))` after each platform call. */
export function dispatchAttemptFields(attempt: DispatchAttempt): Record<string, unknown> {
  return {
    level: attempt.outcome === "failed" || attempt.outcome === "rejected" ? "warn" : "info",
    msg: "dispatch.attempt",
    jobId: attempt.jobId,
    campaignId: attempt.campaignId,
    organizationId: attempt.organizationId ?? null,
    platform: attempt.platform,
    attempt: attempt.attempt,
    outcome: attempt.outcome,
    platformCode: attempt.platformCode ?? null,
    errorCode: attempt.errorCode ?? null,
    durationMs: attempt.durationMs,
  };
}

export type WebhookOutcome = "delivered" | "retrying" | "failed";

export interface WebhookDelivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  endpointId: string;
  organizationId: string;
  attempt: number;
  outcome: WebhookOutcome;
  /** The receiver's HTTP status; null when the call did not complete (timeout, DNS). */
  httpStatus: number | null;
  durationMs: number;
}

/** `logLine(webhookDeliveryFields({ … }))` after each delivery attempt. */
export function webhookDeliveryFields(delivery: WebhookDelivery): Record<string, unknown> {
  return {
    level: delivery.outcome === "failed" ? "warn" : "info",
    msg: "webhook.delivery",
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    endpointId: delivery.endpointId,
    organizationId: delivery.organizationId,
    attempt: delivery.attempt,
    outcome: delivery.outcome,
    httpStatus: delivery.httpStatus,
    durationMs: delivery.durationMs,
  };
}
