/** Worker bindings (see wrangler.toml) and the configuration read from them. */

import type { DispatchMessage } from "./dispatch/messages";
import type { AuditLedgerObject } from "./objects/audit-ledger";
import type { CampaignObject } from "./objects/campaign";
import type { KeyGuardObject } from "./objects/key-guard";

export interface Env {
  DB: D1Database;
  CAMPAIGNS: DurableObjectNamespace<CampaignObject>;
  KEY_GUARDS: DurableObjectNamespace<KeyGuardObject>;
  AUDIT_LEDGERS: DurableObjectNamespace<AuditLedgerObject>;
  DISPATCH_QUEUE: Queue<DispatchMessage>;
  DISPATCH_DLQ: Queue<unknown>;
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
  META_API_BASE?: string;
  META_API_VERSION?: string;
  META_OAUTH_DIALOG_URL?: string;
  META_APP_ID?: string;
  META_APP_SECRET?: string;
  TIKTOK_API_BASE?: string;
  TIKTOK_OAUTH_URL?: string;
  TIKTOK_APP_ID?: string;
  TIKTOK_APP_SECRET?: string;
  APPLE_API_BASE?: string;
  APPLE_TOKEN_URL?: string;
  PLATFORM_TIMEOUT_MS?: string;
  /** Key-encryption key of the credentials vault: 32 random bytes, base64 (a secret). */
  CREDENTIALS_KEY?: string;
  /** The previous key-encryption key during a rotation (a secret). */
  CREDENTIALS_KEY_PREVIOUS?: string;
  /** Public origin of this API for OAuth redirect URIs; the request's origin when unset. */
  PUBLIC_BASE_URL?: string;
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
