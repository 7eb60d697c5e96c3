import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { countPendingActions, listPendingActions } from "../../db/campaigns";
import { ACTION_TYPES } from "../../domain/campaign-model";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { cursorParam, limitParam, ProjectPlatformParams, pageSchema } from "../schemas";
import { PENDING_STATUSES, PendingActionSchema, presentPending } from "./schemas";

const CursorSchema = z.object({ createdAt: z.string(), id: z.string() });
const statusParam = z
  .enum(PENDING_STATUSES)
  .default("pending")
  .openapi({ param: { name: "status", in: "query" } });
const actionTypeParam = z
  .enum(ACTION_TYPES)
  .optional()
  .openapi({ param: { name: "actionType", in: "query" } });

export const listPendingRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listPendingActions",
    path: "/v1/projects/{projectId}/ads/{platform}/pending",
    tags: ["Pending actions"],
    summary: "List pending actions (the draft queue), newest first",
    request: {
      params: ProjectPlatformParams,
      query: z.object({
        status: statusParam,
        actionType: actionTypeParam,
        cursor: cursorParam,
        limit: limitParam(200, 50),
      }),
    },
    responses: {
      200: {
        description: "A page of pending actions.",
        content: {
          "application/json": {
            schema: pageSchema(PendingActionSchema, "PendingActionPage"),
          },
        },
      },
    },
  },
);

export const countPendingRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "countPendingActions",
    path: "/v1/projects/{projectId}/ads/{platform}/pending/count",
    tags: ["Pending actions"],
    summary: "Count pending actions",
    request: {
      params: ProjectPlatformParams,
      query: z.object({ status: statusParam, actionType: actionTypeParam }),
    },
    responses: {
      200: {
        description: "How many match.",
        content: {
          "application/json": { schema: z.object({ count: z.number().int() }).openapi("PendingCount") },
        },
      },
    },
  },
);

export function registerListPending(app: OpenAPIHono<AppEnv>) {
  app.openapi(countPendingRoute, async (c) => {
    const { projectId, platform } = c.req.valid("param");
    const { status, actionType } = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const now = new Date().toISOString();
    const count = await countPendingActions(c.env.DB, {
      projectId: project.id,
      platform,
      status,
      actionType,
      now,
    });
    return c.json({ count }, 200);
  });
  app.openapi(listPendingRoute, async (c) => {
    const { projectId, platform } = c.req.valid("param");
    const query = c.req.valid("query");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const now = new Date().toISOString();
    const { rows, hasMore } = await listPendingActions(c.env.DB, {
      projectId: project.id,
      platform,
      status: query.status,
      actionType: query.actionType,
      now,
      after: query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map((r) => presentPending(r, now)),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });
}
