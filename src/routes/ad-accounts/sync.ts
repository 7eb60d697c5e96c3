import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { startAccountSync } from "../../connections/sync-job";
import { findAdAccount } from "../../db/tenancy";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { ApiError, notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { AdAccountParams } from "./schemas";

const SyncAcceptedSchema = z
  .object({
    jobId: z.string().openapi({ description: "Poll `GET /v1/jobs/{jobId}` (kind `sync_account`)." }),
    status: z.enum(["running", "completed", "failed"]),
    adAccountId: z.string(),
    alreadyRunning: z
      .boolean()
      .openapi({ description: "A sync of this account was running: this is that job, no new one started." }),
  })
  .openapi("AdAccountSync");

export const syncAdAccountRoute = defineRoute(
  { scope: "ads:write:connect", endpointClass: "long_running", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "syncAdAccount",
    path: "/v1/projects/{projectId}/ads/ad-accounts/{adAccountId}/sync",
    tags: ["Ad accounts"],
    summary: "Import or re-sync the account's existing campaigns",
    description:
      "Starts a job (kind `sync_account`, polled at `GET /v1/jobs/{jobId}`, also in `Location`) that pages through the platform's campaigns and ad sets. New ones appear in `GET …/ads/campaigns` unpinned (`authoritySource: layer_defaults`); known ones take the platform's name, status and budgets without any change to pinned authority, and each difference is an audit event `campaign.drift_detected`; a campaign the complete listing no longer shows is marked `deleted` (also a drift event). Syncing twice creates nothing new. One sync per account runs at a time: a second request while one runs answers that job with `alreadyRunning: true`. A failed page is retried with backoff and paging resumes where it stopped, after a crash too. The finished job's `result` counts what it saw. A 404 answers an account whose platform OAuth is not connected.",
    request: { params: AdAccountParams },
    responses: {
      202: {
        description: "The sync job (new, or the one already running).",
        content: { "application/json": { schema: SyncAcceptedSchema } },
      },
    },
  },
);

export function registerSyncAdAccount(app: OpenAPIHono<AppEnv>) {
  app.openapi(syncAdAccountRoute, async (c) => {
    const { projectId, adAccountId } = c.req.valid("param");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const row = isId("adAccount", adAccountId)
      ? await findAdAccount(c.env.DB, project.id, adAccountId)
      : null;
    if (!row) throw notFound("Ad account");
    if (row.tokenStatus !== "valid")
      throw new ApiError("NOT_FOUND", "Ad account's platform OAuth not connected.");
    const { job, existing } = await startAccountSync(c.env, row, "manual");
    c.header("Location", `/v1/jobs/${job.jobId}`);
    return c.json(
      { jobId: job.jobId, status: job.status, adAccountId: row.id, alreadyRunning: existing },
      202,
    );
  });
}
