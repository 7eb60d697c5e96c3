import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findJob } from "../../db/campaigns";
import { findFresh } from "../../db/fresh";
import { ifNoneMatchHits } from "../../domain/etags";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { keyGuard } from "../../objects/key-guard";
import { KeywordResultSchema } from "../keywords/schemas";
import { PlatformSchema } from "../schemas";

const count = (description?: string) =>
  z
    .number()
    .int()
    .optional()
    .openapi(description ? { description } : {});

/** Campaign jobs carry the platform ids; a `sync_account` job carries its counts. */
const JobResultSchema = z
  .object({
    platformCampaignId: z.string().optional().openapi({ description: "Campaign jobs." }),
    platformAdsetId: z.string().optional(),
    keywords: z
      .array(KeywordResultSchema)
      .optional()
      .openapi({ description: "A keyword write's result per requested keyword, in request order." }),
    adId: z.string().optional().openapi({ description: "A push's new ad." }),
    platformAdId: z.string().optional(),
    campaignsSeen: count("`sync_account`: every campaign the platform listed."),
    campaignsCreated: count(),
    campaignsUpdated: count("Each with a `campaign.drift_detected` event."),
    campaignsUnchanged: count(),
    campaignsSkipped: count("Created through this API: not imported."),
    campaignsMarkedDeleted: count("No longer on the platform's listing: now `deleted`."),
    adSetsSeen: count(),
    driftEvents: count(),
    pages: count(),
  })
  .openapi("JobResult");

const JobSchema = z
  .object({
    jobId: z.string(),
    kind: z.string().openapi({
      example: "ads_create_campaign",
      description:
        "`sync_account` for an ad account's import/sync (`POST …/ad-accounts/{adAccountId}/sync`).",
    }),
    status: z.enum(["running", "completed", "failed", "canceled"]),
    stage: z.enum(["queued", "awaiting_approval", "dispatching", "retrying"]).nullable(),
    campaignId: z.string().optional().openapi({ description: "Absent on a `sync_account` job." }),
    adAccountId: z
      .string()
      .optional()
      .openapi({ description: "On a `sync_account` job: the account it syncs." }),
    platform: PlatformSchema,
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    attempts: z.number().int(),
    pendingId: z.string().optional(),
    result: JobResultSchema.optional(),
    error: z
      .object({ code: z.string(), message: z.string(), platformCode: z.string().optional() })
      .optional()
      .openapi({
        description:
          "PLATFORM_REJECTED | PLATFORM_AUTH (the ad account's credentials no longer work: reconnect) | PLATFORM_ERROR | CANCELED | EXPIRED; a `sync_account` job also NOT_CONNECTED | SYNC_ERROR",
      }),
  })
  .openapi("Job");

export const getJobRoute = defineRoute(
  { scope: ["jobs:read", "ads:*"], endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getJob",
    path: "/v1/jobs/{jobId}",
    tags: ["Jobs"],
    summary: "Poll a job",
    description:
      "`status` is `running` until it is `completed`, `failed` or `canceled`; `stage` tells where a running job is. Send `If-None-Match` with the last `ETag` to get 304 while nothing changed.",
    request: {
      params: z.object({ jobId: z.string().openapi({ param: { name: "jobId", in: "path" } }) }),
      headers: z.object({ "if-none-match": z.string().optional() }),
    },
    responses: {
      200: { description: "The job.", content: { "application/json": { schema: JobSchema } } },
      304: { description: "Not modified since the ETag sent in If-None-Match." },
    },
  },
);

export function registerGetJob(app: OpenAPIHono<AppEnv>) {
  app.openapi(getJobRoute, async (c) => {
    const { jobId } = c.req.valid("param");
    if (!isId("job", jobId)) throw notFound("Job");
    const organizationId = c.get("caller").organizationId;
    const caller = c.get("caller");
    const row = await findFresh(
      jobId,
      () => findJob(c.env.DB, organizationId, jobId),
      () => keyGuard(c.env, caller.apiKeyId).wasMinted(jobId),
    );
    if (!row) throw notFound("Job");
    const etag = `"j${row.stateVersion}.${row.attempts}"`;
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    const ifNoneMatch = c.req.header("If-None-Match");
    if (ifNoneMatch && ifNoneMatchHits(ifNoneMatch, etag)) {
      return c.body(null, 304);
    }
    const error = row.error as { code: string; message: string; platformCode?: string } | null;
    return c.json(
      {
        jobId: row.id,
        kind: row.kind,
        status: row.status as z.infer<typeof JobSchema>["status"],
        stage: row.stage as z.infer<typeof JobSchema>["stage"],
        ...(row.campaignId ? { campaignId: row.campaignId } : {}),
        ...(row.adAccountId ? { adAccountId: row.adAccountId } : {}),
        platform: row.platform as z.infer<typeof PlatformSchema>,
        startedAt: row.startedAt,
        ...(row.finishedAt ? { finishedAt: row.finishedAt } : {}),
        attempts: row.attempts,
        ...(row.pendingId ? { pendingId: row.pendingId } : {}),
        ...(row.result ? { result: row.result as z.infer<typeof JobSchema>["result"] } : {}),
        ...(error ? { error } : {}),
      },
      200,
    );
  });
}
