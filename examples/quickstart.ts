/// <reference types="node" />
/**
 * Quickstart: `npm run dev` in one terminal, then `npm run quickstart` (BASE_URL overrides
 * http://localhost:8787). Uses the demo partner key from .dev-tenant.json.
 */
import { readFileSync } from "node:fs";
import { createAdsPartnerClient } from "../clients/typescript/index.ts";
import { runQuickstart } from "./quickstart-flow.ts";

const tenant = JSON.parse(readFileSync(".dev-tenant.json", "utf8")) as {
  projectId: string;
  adAccounts: { meta: string };
  keys: { partner: string };
};
const baseUrl = process.env.BASE_URL ?? `http://localhost:${process.env.PORT ?? "8787"}`;
const client = createAdsPartnerClient({ baseUrl, apiKey: tenant.keys.partner });

const result = await runQuickstart(client, {
  projectId: tenant.projectId,
  adAccountId: tenant.adAccounts.meta,
  log: (line) => console.log(line),
});
console.log(
  `done: campaign ${result.created.campaignId}, ${result.pending.items.length} pending action(s) in the queue`,
);
