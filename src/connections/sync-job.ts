/**
 * Owns starting an ad account's sync job: each account's job lives in its own
 * `AccountSyncObject`, which pages on its alarm and resumes after a crash; a start while one
 * runs answers the running job.
 */
import type { AdAccountRow } from "../db/tenancy";
import { newId } from "../domain/ids";
import type { Env } from "../env";
import { accountSyncObject, type SyncJob } from "../objects/account-sync";

export async function startAccountSync(
  env: Env,
  account: Pick<AdAccountRow, "id" | "organizationId" | "projectId" | "platform">,
  reason: SyncJob["reason"],
): Promise<{ job: SyncJob; existing: boolean }> {
  const answer: unknown = await accountSyncObject(env, account.id).start({
    jobId: newId("job"),
    reason,
    account: {
      id: account.id,
      organizationId: account.organizationId,
      projectId: account.projectId,
      platform: account.platform,
    },
  });
  return answer as { job: SyncJob; existing: boolean };
}
