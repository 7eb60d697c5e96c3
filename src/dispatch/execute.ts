/** One attempt at the platform: the ad account's connection and credentials, the right adapter, the request. */

import { dispatchConnection, noteDispatchResult } from "../connections/dispatch";
import type { Env } from "../env";
import { logLine } from "../observability/log";
import { adapterFor, platformConfigFromEnv } from "../platforms/index";
import type { PlatformOperation, PlatformResult } from "../platforms/types";

export interface AttemptRequest {
  jobId: string;
  attempt: number;
  adAccountId: string;
  operation: PlatformOperation;
  /** The job came from a test-env key: the simulator answers, whatever the connection. */
  sandbox: boolean;
}

/** Runs one attempt and leaves one structured log line for it, whatever happens. */
export async function executeOnPlatform(env: Env, request: AttemptRequest): Promise<PlatformResult> {
  const started = Date.now();
  const seen: { platform: string | null; result?: PlatformResult } = { platform: null };
  try {
    seen.result = await attemptOnPlatform(env, request, seen);
    return seen.result;
  } finally {
    const result = seen.result;
    logLine({
      msg: "dispatch.attempt",
      jobId: request.jobId,
      campaignId: request.operation.campaign.campaignId,
      adAccountId: request.adAccountId,
      platform: seen.platform,
      operation: request.operation.type,
      attempt: request.attempt,
      sandbox: request.sandbox,
      outcome: result === undefined ? "error" : result.ok ? "succeeded" : result.kind,
      platformCode: result && !result.ok ? (result.platformCode ?? null) : null,
      durationMs: Date.now() - started,
    });
  }
}

async function attemptOnPlatform(
  env: Env,
  request: AttemptRequest,
  seen: { platform: string | null },
): Promise<PlatformResult> {
  const connection = await dispatchConnection(env, request.adAccountId, request.sandbox);
  if (!connection.ok) return connection.result;
  const { row, account, credential } = connection;
  seen.platform = account.platform;
  const adapter = adapterFor(
    account.platform,
    account,
    platformConfigFromEnv({ ...env }),
    request.sandbox,
    credential,
  );
  // Every delivery is a new attempt; the job id is the idempotency key, so a redelivery never creates twice.
  const result = await adapter.execute(request.operation, account, {
    idempotencyKey: request.jobId,
    attempt: request.attempt,
  });
  await noteDispatchResult(env, row, result);
  return result;
}
