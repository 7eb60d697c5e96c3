/** The cron: drop expired idempotency records; expire overdue pending actions the alarms missed. */
import { overduePendingActions } from "../db/campaigns";
import { deleteExpiredIdempotencyRecords } from "../db/idempotency";
import type { Env } from "../env";
import { campaignObject } from "../objects/campaign";

export async function runMaintenance(
  env: Env,
  now = new Date(),
): Promise<{ idempotency: number; expired: number }> {
  const idempotency = await deleteExpiredIdempotencyRecords(env.DB, now.getTime());
  const overdue = await overduePendingActions(env.DB, now.toISOString(), 500);
  let expired = 0;
  for (const campaignId of new Set(overdue.map((p) => p.campaignId))) {
    expired += await campaignObject(env, campaignId).expireDue(now);
  }
  return { idempotency, expired };
}
