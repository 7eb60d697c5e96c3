import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { listCreatives } from "../../db/creatives";
import { CREATIVE_FORMATS } from "../../domain/creative-rules";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { cursorParam, limitParam, ProjectParams } from "../schemas";
import { CreativeSchema, presentCreative } from "./schemas";

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });

export const listCreativesRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listCreatives",
    path: "/v1/projects/{projectId}/ads/creatives",
    tags: ["Creatives"],
    summary: "List the project's creative library, newest first",
    request: {
      params: ProjectParams,
      query: z.object({
        format: z
          .enum(CREATIVE_FORMATS)
          .optional()
          .openapi({ param: { name: "format", in: "query" } }),
        cursor: cursorParam,
        limit: limitParam(200, 100),
      }),
    },
    responses: {
      200: {
        description: "A page of creatives.",
        content: {
          "application/json": {
            schema: z.object({ items: z.array(CreativeSchema), nextCursor: z.string().nullable() }),
          },
        },
      },
    },
  },
);

export function registerListCreatives(app: OpenAPIHono<AppEnv>) {
  app.openapi(listCreativesRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const query = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { rows, hasMore } = await listCreatives(c.env.DB, {
      projectId: project.id,
      format: query.format,
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map(presentCreative),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });
}
