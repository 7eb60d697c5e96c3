/** Worker entry: HTTP, the dispatch and dead-letter queue consumers, the cron, the Durable Objects. */
import { buildApp } from "./app";
import { dailyConnectionCare, TOKEN_HEALTH_CRON } from "./connections/health";
import { consumeDispatchBatch } from "./dispatch/consumer";
import { consumeDeadLetters } from "./dispatch/dead-letters";
import { runMaintenance } from "./dispatch/maintenance";
import type { Env } from "./env";
import { consumeWebhookBatch } from "./webhooks/deliver";

export { DispatchControlObject } from "./dispatch/brake";
export { DispatchRunnerObject } from "./dispatch/runner";
export { AccountSyncObject } from "./objects/account-sync";
export { AuditLedgerObject } from "./objects/audit-ledger";
export { CampaignObject } from "./objects/campaign";
export { IdempotencyObject } from "./objects/idempotency";
export { KeyGuardObject } from "./objects/key-guard";
export { LayerPolicyObject } from "./objects/layer-policy";

const app = buildApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, env);
    else if (batch.queue.includes("webhook")) await consumeWebhookBatch(batch, env);
    else await consumeDispatchBatch(batch, env);
  },
  async scheduled(controller, env, ctx) {
    if (controller.cron === TOKEN_HEALTH_CRON)
      ctx.waitUntil(dailyConnectionCare(env, new Date(controller.scheduledTime)));
    else ctx.waitUntil(runMaintenance(env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env, unknown>;
