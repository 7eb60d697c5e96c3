import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { type SyncSummary, syncAdAccount } from "../../connections/import";
import { findAdAccount } from "../../db/tenancy";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { ApiError, notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { AdAccountParams } from "./schemas";

const SyncAcceptedSchema = z
  .object({
    adAccountId: z.string(),
    status: z.enum(["running", "completed", "failed"]),
    summary: z
      .object({
        created: z.number().int(),
        updated: z.number().int(),
        unchanged: z.number().int(),
        skipped: z.number().int(),
        pages: z.number().int(),
      })
      .nullable()
      .openapi({ description: "Present when the sync finished before the answer." }),
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
      "Pages through the platform's campaigns and ad sets. New ones appear in `GET …/ads/campaigns` unpinned (`authoritySource: layer_defaults`); known ones take the platform's name, status and budgets without any change to pinned authority, and each difference is an audit event `campaign.drift_detected`. Syncing twice creates nothing new. `lastSyncedAt` on the ad account tells when it finished; a 404 answers an account whose platform OAuth is not connected.",
    request: { params: AdAccountParams },
    responses: {
      202: {
        description: "The sync started.",
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
    const run = syncAdAccount(c.env, row.id, "manual");
    let summary: SyncSummary | null = null;
    if (c.env.OUTBOX_DELIVERY === "before_response") summary = await run;
    else
      c.executionCtx.waitUntil(
        run.catch((error) =>
          console.error(JSON.stringify({ level: "error", msg: "sync", error: String(error) })),
        ),
      );
    return c.json(
      {
        adAccountId: row.id,
        status: summary?.status ?? ("running" as const),
        summary: summary && {
          created: summary.created,
          updated: summary.updated,
          unchanged: summary.unchanged,
          skipped: summary.skipped,
          pages: summary.pages,
        },
      },
      202,
    );
  });
}
