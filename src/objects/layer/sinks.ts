/** Owns where the layer object's outbox delivers: D1 projections and the audit ledger. */
import { projectLayerPolicies } from "../../db/tenancy";
import type { AuditEvent } from "../../domain/audit-chain";
import type { LayerPolicy } from "../../domain/layer-policy";
import type { Env } from "../../env";
import { auditLedger } from "../audit-ledger";
import type { AccountState } from "./account-status";

export interface LayerSinks {
  /** Writes these policy versions to D1, in one batch. */
  projectPolicies(policies: LayerPolicy[]): Promise<void>;
  /** Writes these ad accounts' status to D1, in one batch. */
  projectAccounts(states: AccountState[]): Promise<void>;
  /** Appends one organization's events to its audit ledger, in order. */
  appendAudit(events: AuditEvent[]): Promise<void>;
}

export function liveSinks(env: Env): LayerSinks {
  return {
    projectPolicies: (policies) => projectLayerPolicies(env.DB, policies),
    async projectAccounts(states) {
      if (states.length === 0) return;
      const update = env.DB.prepare("UPDATE ad_accounts SET token_status = ?, revoked_at = ? WHERE id = ?");
      await env.DB.batch(states.map((s) => update.bind(s.tokenStatus, s.revokedAt, s.adAccountId)));
    },
    async appendAudit(events) {
      const organizationId = events[0]?.organizationId;
      if (organizationId) await auditLedger(env, organizationId).append(events);
    },
  };
}
