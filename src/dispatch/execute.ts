/** One attempt at the platform: the ad account's connection and credentials, the right adapter, the request. */

import { dispatchConnection, noteDispatchResult } from "../connections/dispatch";
import type { Env } from "../env";
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

export async function executeOnPlatform(env: Env, request: AttemptRequest): Promise<PlatformResult> {
  const connection = await dispatchConnection(env, request.adAccountId, request.sandbox);
  if (!connection.ok) return connection.result;
  const { row, account, credential } = connection;
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
