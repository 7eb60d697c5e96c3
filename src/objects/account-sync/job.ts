/**
 * Owns the shape of an ad account's sync job (`kind: sync_account`) and where its effects go:
 * the D1 copy of the job (served by `GET /v1/jobs/:jobId`, with the account's `lastSyncedAt`
 * once it completes) and the audit ledger.
 */
import type { AuditEvent } from "../../domain/audit-chain";
import type { Env } from "../../env";
import { auditLedger } from "../audit-ledger";

export const SYNC_JOB_KIND = "sync_account";

/** What a finished sync counts; `campaignsSeen` is every campaign the platform listed. */
export interface SyncCounts {
  campaignsSeen: number;
  campaignsCreated: number;
  campaignsUpdated: number;
  campaignsUnchanged: number;
  campaignsSkipped: number;
  campaignsMarkedDeleted: number;
  adSetsSeen: number;
  driftEvents: number;
  pages: number;
}

export interface SyncJob {
  jobId: string;
  reason: "connect" | "manual";
  organizationId: string;
  projectId: string;
  adAccountId: string;
  platform: string;
  status: "running" | "completed" | "failed";
  stage: "queued" | "dispatching" | "retrying" | null;
  /** Where paging resumes: the platform's cursor of the next page (null before the first). */
  cursor: string | null;
  /** `complete` after the last page, `truncated` at the page cap: paging is over either way. */
  listing: "paging" | "complete" | "truncated";
  pages: number;
  /** Failed attempts at the current page. */
  attempts: number;
  /** Epoch ms before which the next page is not asked for (backoff after a failed page). */
  nextRunAt: number;
  startedAt: string;
  finishedAt: string | null;
  updatedAt: string;
  stateVersion: number;
  result: SyncCounts | null;
  error: { code: string; message: string; platformCode?: string } | null;
}

export type SyncEffect = { kind: "job"; job: SyncJob } | { kind: "audit"; events: AuditEvent[] };

export interface SyncSinks {
  /** Writes these job states to D1 (an older state never overwrites a newer one). */
  projectJobs(jobs: SyncJob[]): Promise<void>;
  appendAudit(events: AuditEvent[]): Promise<void>;
}

const UPSERT = `INSERT INTO jobs (id, organization_id, project_id, campaign_id, ad_account_id, platform, kind,
  status, stage, attempts, result, error, started_at, finished_at, updated_at, state_version)
VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET status = excluded.status, stage = excluded.stage,
  attempts = excluded.attempts, result = excluded.result, error = excluded.error,
  finished_at = excluded.finished_at, updated_at = excluded.updated_at,
  state_version = excluded.state_version
WHERE excluded.state_version > jobs.state_version`;

export function liveSyncSinks(env: Env): SyncSinks {
  return {
    async projectJobs(jobs) {
      if (jobs.length === 0) return;
      const upsert = env.DB.prepare(UPSERT);
      const synced = env.DB.prepare(
        "UPDATE ad_accounts SET last_synced_at = ?, token_last_validated_at = ? WHERE id = ?",
      );
      await env.DB.batch(
        jobs.flatMap((j) => [
          upsert.bind(
            j.jobId,
            j.organizationId,
            j.projectId,
            j.adAccountId,
            j.platform,
            SYNC_JOB_KIND,
            j.status,
            j.stage,
            j.attempts,
            j.result ? JSON.stringify(j.result) : null,
            j.error ? JSON.stringify(j.error) : null,
            j.startedAt,
            j.finishedAt,
            j.updatedAt,
            j.stateVersion,
          ),
          ...(j.status === "completed" && j.finishedAt
            ? [synced.bind(j.finishedAt, j.finishedAt, j.adAccountId)]
            : []),
        ]),
      );
    },
    async appendAudit(events) {
      const organizationId = events[0]?.organizationId;
      if (organizationId) await auditLedger(env, organizationId).append(events);
    },
  };
}

/** Counts from what each listed campaign came to (`seen`) and how many vanished ones were marked. */
export function countsOf(
  seen: { outcome: string; adSets: number }[],
  markedDeleted: number,
  pages: number,
): SyncCounts {
  const n = (outcome: string) => seen.filter((s) => s.outcome === outcome).length;
  const updated = n("updated");
  return {
    campaignsSeen: seen.length,
    campaignsCreated: n("created"),
    campaignsUpdated: updated,
    campaignsUnchanged: n("unchanged"),
    campaignsSkipped: n("skipped"),
    campaignsMarkedDeleted: markedDeleted,
    adSetsSeen: seen.reduce((sum, s) => sum + s.adSets, 0),
    driftEvents: updated + markedDeleted,
    pages,
  };
}
