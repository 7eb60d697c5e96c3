import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { listCampaigns } from "../../db/campaigns";
import { findLayerPolicy, policyDefaults } from "../../db/tenancy";
import type { AuthorityBlock } from "../../domain/authority";
import { PLATFORMS, type Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import {
  cursorParam,
  limitParam,
  ProjectParams,
  pageSchema,
  platformsParam,
  statusesQueryParam,
} from "../schemas";
import { presentCampaign } from "./present";
import { CAMPAIGN_STATUSES, CampaignSchema } from "./schemas";

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

const statusesParam = statusesQueryParam(CAMPAIGN_STATUSES);

export const listCampaignsRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listCampaigns",
    path: "/v1/projects/{projectId}/ads/campaigns",
    tags: ["Campaigns"],
    summary: "List the project's campaigns, newest first",
    request: {
      params: ProjectParams,
      query: z.object({
        platforms: platformsParam,
        adAccountId: z
          .string()
          .max(64)
          .optional()
          .openapi({ param: { name: "adAccountId", in: "query" } }),
        status: statusesParam,
        since: z.iso
          .datetime()
          .optional()
          .openapi({ param: { name: "since", in: "query" } }),
        cursor: cursorParam,
        limit: limitParam(200, 100),
      }),
    },
    responses: {
      200: {
        description: "A page of campaigns.",
        content: {
          "application/json": {
            schema: pageSchema(CampaignSchema, "CampaignPage"),
          },
        },
      },
    },
  },
);

export function registerListCampaigns(app: OpenAPIHono<AppEnv>) {
  app.openapi(listCampaignsRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const query = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { rows, hasMore } = await listCampaigns(c.env.DB, {
      projectId: project.id,
      platforms: query.platforms,
      adAccountId: query.adAccountId,
      statuses: query.status,
      since: query.since,
      after,
      limit: query.limit,
    });
    const defaults = new Map<string, AuthorityBlock>();
    for (const platform of new Set(rows.filter((r) => !r.authority).map((r) => r.platform))) {
      if (!PLATFORMS.includes(platform as Platform)) continue;
      const policy = await findLayerPolicy(c.env.DB, project.layerId, platform as Platform);
      if (policy) defaults.set(platform, policyDefaults(policy));
    }
    const fallback: AuthorityBlock = { creative: "off", tactical: "off", structural: "off" };
    return c.json(
      {
        items: rows.map((r) => presentCampaign(r, defaults.get(r.platform) ?? fallback)),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });
}
