/** Worker bindings (see wrangler.toml) and the configuration read from them. */

import type { DispatchControlObject } from "./dispatch/brake";
import type { DispatchMessage } from "./dispatch/messages";
import type { DispatchRunnerObject } from "./dispatch/runner";
import type { AuditLedgerObject } from "./objects/audit-ledger";
import type { CampaignObject } from "./objects/campaign";
import type { KeyGuardObject } from "./objects/key-guard";
import type { WebhookMessage } from "./webhooks/messages";

export interface Env {
  DB: D1Database;
  CAMPAIGNS: DurableObjectNamespace<CampaignObject>;
  KEY_GUARDS: DurableObjectNamespace<KeyGuardObject>;
  AUDIT_LEDGERS: DurableObjectNamespace<AuditLedgerObject>;
  DISPATCH_RUNNERS: DurableObjectNamespace<DispatchRunnerObject>;
  DISPATCH_CONTROL: DurableObjectNamespace<DispatchControlObject>;
  DISPATCH_QUEUE: Queue<DispatchMessage>;
  DISPATCH_DLQ: Queue<unknown>;
  WEBHOOK_QUEUE: Queue<WebhookMessage>;
  ENVIRONMENT: string;
  DISPATCH_BACKOFF_BASE_SECONDS?: string;
  DISPATCH_MAX_ATTEMPTS?: string;
  /**
   * When a campaign object delivers its outbox (D1 copies, audit rows, queue messages):
   * `after_response` (default: answer once the change is durable in the object) or
   * `before_response` (answer after delivery; the tests use it to read D1 right away).
   */
  OUTBOX_DELIVERY?: string;
  /** Seconds a running job may go without progress before its message is re-sent (600). */
  DISPATCH_STALL_SECONDS?: string;
  /** `on` holds every platform call (jobs wait in `queued`) until it is set back; see README. */
  DISPATCH_BRAKE?: string;
  /** Seconds the webhook retry ladder is scaled by: 30 (production: 30 s … 24 h), 1 in dev and tests. */
  WEBHOOK_BACKOFF_BASE_SECONDS?: string;
  /** Per-attempt timeout of a webhook delivery, ms (10000). */
  WEBHOOK_TIMEOUT_MS?: string;
  /** Secret bearer token for the operator endpoints under /ops (unset: they answer 404). */
  OPERATOR_TOKEN?: string;
  META_API_BASE?: string;
  META_API_VERSION?: string;
  META_ACCESS_TOKEN?: string;
  TIKTOK_API_BASE?: string;
  TIKTOK_ACCESS_TOKEN?: string;
  APPLE_API_BASE?: string;
  APPLE_ACCESS_TOKEN?: string;
  PLATFORM_TIMEOUT_MS?: string;
}

export interface DispatchConfig {
  backoffBaseSeconds: number;
  maxAttempts: number;
}

export function dispatchConfig(env: Env): DispatchConfig {
  return {
    backoffBaseSeconds: positiveNumber(env.DISPATCH_BACKOFF_BASE_SECONDS, 1),
    maxAttempts: positiveNumber(env.DISPATCH_MAX_ATTEMPTS, 5),
  };
}

function positiveNumber(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
