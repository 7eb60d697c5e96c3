/** Owns `GET /v1/projects/:projectId/ads/apple/adsets/:adsetId/keywords`: an ad group's keywords (D1 copies). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findAdsetCampaign } from "../../db/adsets";
import { type KeywordRow, listKeywords } from "../../db/keywords";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { cursorParam, limitParam, pageSchema, statusesQueryParam } from "../schemas";
import { KEYWORD_STATUSES, KeywordParams, KeywordSchema } from "./schemas";

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

export const listKeywordsRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listKeywords",
    path: "/v1/projects/{projectId}/ads/apple/adsets/{adsetId}/keywords",
    tags: ["Keywords"],
    summary: "List an Apple ad group's targeting keywords, in the order they were added",
    description:
      "Keywords the platform confirmed; items a bulk add could not create appear only in its job's `result.keywords`. Deleted keywords stay listed with status `deleted` (filter with `status`).",
    request: {
      params: KeywordParams,
      query: z.object({
        status: statusesQueryParam(KEYWORD_STATUSES),
        cursor: cursorParam,
        limit: limitParam(200, 100),
      }),
    },
    responses: {
      200: {
        description: "A page of keywords.",
        content: { "application/json": { schema: pageSchema(KeywordSchema, "KeywordPage") } },
      },
    },
  },
);

function presentKeyword(row: KeywordRow): z.infer<typeof KeywordSchema> {
  return {
    keywordId: row.id,
    adsetId: row.adsetId,
    campaignId: row.campaignId,
    text: row.text,
    matchType: row.matchType as z.infer<typeof KeywordSchema>["matchType"],
    bidAmountCents: row.bidAmountCents,
    status: row.status as z.infer<typeof KeywordSchema>["status"],
    platformKeywordId: row.platformKeywordId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function registerListKeywords(app: OpenAPIHono<AppEnv>) {
  app.openapi(listKeywordsRoute, async (c) => {
    const { projectId, adsetId } = c.req.valid("param");
    const query = c.req.valid("query");
    if (!isId("adset", adsetId)) throw notFound("Ad set");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    if (!(await findAdsetCampaign(c.env.DB, project.id, "apple", adsetId))) throw notFound("Ad set");
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { rows, hasMore } = await listKeywords(c.env.DB, {
      projectId: project.id,
      adsetId,
      statuses: query.status,
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map(presentKeyword),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });
}
