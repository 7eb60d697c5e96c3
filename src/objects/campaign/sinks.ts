/**
 * Owns the real destinations of the campaign object's outbox: D1 copies of its records, the
 * organization's audit ledger, and the dispatch queue. Each is idempotent (D1 rows carry the
 * object's state version, the ledger dedupes by event id, dispatch by job generation).
 */
import { drizzle } from "drizzle-orm/d1";
import { adUpsert } from "../../db/ad-projection";
import { keywordUpsert } from "../../db/keywords";
import { adsetUpsert, campaignUpsert, jobUpsert, pendingUpsert } from "../../db/projections";
import type { Env } from "../../env";
import { recordAudit } from "../audit-ledger";
import type { OutboxSinks } from "./outbox";
import type { CampaignState } from "./state";

/** Reads `env` at each delivery, so a binding swapped at runtime is honoured. */
export function envSinks(env: () => Env, state: CampaignState): OutboxSinks {
  return {
    async project(effects) {
      const campaign = state.campaign;
      const authority = state.authority;
      if (!campaign || !authority) return;
      const orm = drizzle(env().DB);
      const adsetIds = new Set(effects.flatMap((e) => e.adsetIds ?? []));
      const keywordIds = new Set(effects.flatMap((e) => e.keywordIds ?? []));
      const adIds = new Set(effects.flatMap((e) => e.adIds ?? []));
      const jobIds = new Set(effects.flatMap((e) => e.jobIds));
      const pendingIds = new Set(effects.flatMap((e) => e.pendingIds));
      const version = state.version;
      // The campaign row goes first so the rows that point at it never precede it.
      const statements = [
        campaignUpsert(orm, campaign, authority, version),
        ...[...adsetIds].flatMap((id) => {
          const adset = state.adsets.get(id);
          return adset ? [adsetUpsert(orm, campaign, adset, version)] : [];
        }),
        ...[...keywordIds].flatMap((id) => {
          const keyword = state.keywords.get(id);
          return keyword ? [keywordUpsert(orm, campaign, keyword, version)] : [];
        }),
        ...[...adIds].flatMap((id) => {
          const ad = state.ads.get(id);
          return ad ? [adUpsert(orm, campaign, ad, version)] : [];
        }),
        ...[...jobIds].flatMap((id) => {
          const job = state.jobs.get(id);
          return job ? [jobUpsert(orm, campaign, job, version)] : [];
        }),
        ...[...pendingIds].flatMap((id) => {
          const item = state.pending.get(id);
          return item ? [pendingUpsert(orm, campaign, item, version)] : [];
        }),
      ];
      await orm.batch(statements as [(typeof statements)[number], ...(typeof statements)[number][]]);
    },
    async audit(events) {
      await recordAudit(env(), events);
    },
    async dispatch(effects) {
      await env().DISPATCH_QUEUE.sendBatch(
        effects.map((e) => ({
          body: e.message,
          ...(e.delaySeconds > 0 ? { delaySeconds: e.delaySeconds } : {}),
        })),
      );
    },
  };
}
