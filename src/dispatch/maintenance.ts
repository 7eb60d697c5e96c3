/**
 * The cron: expire overdue pending actions the alarms missed. (Idempotency records expire in
 * their key's idempotency object, by its alarm.)
 */
import { overduePendingActions } from "../db/campaigns";
import type { Env } from "../env";
import { campaignObject } from "../objects/campaign";

export async function runMaintenance(env: Env, now = new Date()): Promise<{ expired: number }> {
  const overdue = await overduePendingActions(env.DB, now.toISOString(), 500);
  let expired = 0;
  for (const campaignId of new Set(overdue.map((p) => p.campaignId))) {
    expired += await campaignObject(env, campaignId).expireDue(now);
  }
  return { expired };
}
