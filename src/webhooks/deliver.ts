/**
 * Owns webhook delivery attempts: the webhook queue's consumer. Each message points at a
 * delivery; the organization's ledger says what to send (and to which URL, with which
 * secrets), this module signs it per Standard Webhooks and POSTs it, and the ledger records
 * the answer and schedules any retry. The message is acked once the answer is recorded.
 */
import { Webhook } from "standardwebhooks";
import type { Env } from "../env";
import { auditLedger } from "../objects/audit-ledger";
import { logLine } from "../observability/log";
import { WebhookMessageSchema } from "./messages";
import type { DeliveryPlan } from "./store";

const DEFAULT_TIMEOUT_MS = 10_000;

export async function consumeWebhookBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await Promise.all(batch.messages.map((message) => consumeWebhookMessage(message, env)));
}

async function consumeWebhookMessage(message: Message<unknown>, env: Env): Promise<void> {
  const parsed = WebhookMessageSchema.safeParse(message.body);
  if (!parsed.success) {
    logLine({ level: "error", msg: "webhook.malformed_message", body: message.body });
    message.ack();
    return;
  }
  const ledger = auditLedger(env, parsed.data.organizationId);
  try {
    const plan = await ledger.startWebhookAttempt(parsed.data.deliveryId);
    if (!plan) {
      message.ack();
      return;
    }
    const started = Date.now();
    const answer = await post(plan, timeoutMs(env));
    const after = await ledger.finishWebhookAttempt(plan.deliveryId, plan.attempt, answer);
    logLine({
      msg: "webhook.delivery",
      organizationId: parsed.data.organizationId,
      deliveryId: plan.deliveryId,
      endpointId: plan.endpointId,
      eventId: plan.eventId,
      eventType: plan.eventType,
      attempt: plan.attempt,
      outcome: after?.status === "pending" ? "retrying" : (after?.status ?? "unknown"),
      responseStatus: answer.responseStatus,
      error: answer.error,
      nextAttemptAt: after?.nextAttemptAt ?? null,
      durationMs: Date.now() - started,
    });
    message.ack();
  } catch (error) {
    logLine({ level: "error", msg: "webhook.delivery_crashed", ...parsed.data, error: String(error) });
    message.retry({ delaySeconds: Math.min(60, 2 ** Math.max(0, message.attempts - 1)) });
  }
}

/** The headers of one delivery: webhook-id (the event's id, the same on every retry), timestamp, signatures. */
export function signedHeaders(plan: Pick<DeliveryPlan, "eventId" | "body" | "secrets">, at: Date) {
  // One signature per valid secret, space-separated: during a rotation receivers holding
  // either secret can verify.
  const signature = plan.secrets
    .map((secret) => new Webhook(secret).sign(plan.eventId, at, plan.body))
    .join(" ");
  return {
    "content-type": "application/json",
    "user-agent": "AdsPartnerAPI-Webhooks/1.0",
    "webhook-id": plan.eventId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
}

async function post(
  plan: DeliveryPlan,
  timeout: number,
): Promise<{ responseStatus: number | null; error: string | null }> {
  try {
    const response = await fetch(plan.url, {
      method: "POST",
      headers: signedHeaders(plan, new Date()),
      body: plan.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeout),
    });
    // The receiver's body is not ours to keep; drain it so the connection is released.
    await response.body?.cancel();
    const redirected = response.status >= 300 && response.status < 400;
    return {
      responseStatus: response.status,
      error: response.ok ? null : redirected ? "redirects are not followed" : `HTTP ${response.status}`,
    };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { responseStatus: null, error: timedOut ? `no answer within ${timeout} ms` : String(error) };
  }
}

function timeoutMs(env: Env): number {
  const value = Number(env.WEBHOOK_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_TIMEOUT_MS;
}
