/** Owns the ad set reads: the project's list (D1 copies) and one ad set (its campaign object). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findAdsetCampaign, listAdsets } from "../../db/adsets";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { readAdset } from "../../objects/campaign";
import { requireProject, unwrap } from "../lookups";
import {
  cursorParam,
  limitParam,
  ProjectParams,
  pageSchema,
  platformsParam,
  statusesQueryParam,
} from "../schemas";
import { ADSET_STATUSES, AdsetParams, AdsetSchema, presentAdset } from "./schemas";

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

const statusesParam = statusesQueryParam(ADSET_STATUSES);

export const listAdsetsRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listAdsets",
    path: "/v1/projects/{projectId}/ads/adsets",
    tags: ["Ad sets"],
    summary: "List the project's ad sets (TikTok, Apple: ad groups), newest first",
    request: {
      params: ProjectParams,
      query: z.object({
        campaignId: z
          .string()
          .max(64)
          .optional()
          .openapi({ param: { name: "campaignId", in: "query" } }),
        platforms: platformsParam,
        adAccountId: z
          .string()
          .max(64)
          .optional()
          .openapi({ param: { name: "adAccountId", in: "query" } }),
        status: statusesParam,
        cursor: cursorParam,
        limit: limitParam(200, 100),
      }),
    },
    responses: {
      200: {
        description: "A page of ad sets.",
        content: { "application/json": { schema: pageSchema(AdsetSchema, "AdsetPage") } },
      },
    },
  },
);

export const getAdsetRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getAdset",
    path: "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}",
    tags: ["Ad sets"],
    summary: "Read an ad set",
    description:
      "`status` is `pending` until its create completes on the platform, then `active` | `paused` | `deleted`; `failed` when its create failed, `rejected` when its queued create was rejected or expired. `platformAdsetId` is null until then. `schedule.dayparts` lists the weekly windows it runs in (empty: all day).",
    request: { params: AdsetParams },
    responses: {
      200: { description: "The ad set.", content: { "application/json": { schema: AdsetSchema } } },
    },
  },
);

export function registerAdsetReads(app: OpenAPIHono<AppEnv>) {
  app.openapi(listAdsetsRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const query = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { rows, hasMore } = await listAdsets(c.env.DB, {
      projectId: project.id,
      campaignId: query.campaignId,
      platforms: query.platforms,
      adAccountId: query.adAccountId,
      statuses: query.status,
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map(presentAdset),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });

  app.openapi(getAdsetRoute, async (c) => {
    const { projectId, platform, adsetId } = c.req.valid("param");
    const caller = c.get("caller");
    if (!isId("adset", adsetId)) throw notFound("Ad set");
    const project = await requireProject(c.env.DB, caller, projectId);
    const campaignId = await findAdsetCampaign(c.env.DB, project.id, platform, adsetId);
    if (!campaignId) throw notFound("Ad set");
    // From the campaign object, not D1's copy: a read right after a write sees it.
    const scope = { organizationId: caller.organizationId, projectId: project.id, platform };
    const { adset } = unwrap(await readAdset(c.env, campaignId, scope, adsetId));
    return c.json(presentAdset(adset), 200);
  });
}
