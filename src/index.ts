/** Worker entry: HTTP, queue consumers, cron, and the Durable Object classes. */
import { buildApp } from "./app";
import type { Env } from "./env";

export { AuditLedgerObject } from "./objects/audit-ledger";
export { CampaignObject } from "./objects/campaign";
export { KeyGuardObject } from "./objects/key-guard";

const app = buildApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
