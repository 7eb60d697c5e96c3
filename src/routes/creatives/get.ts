import type { OpenAPIHono } from "@hono/zod-openapi";
import { findCreative } from "../../db/creatives";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { CreativeParams, CreativeSchema, presentCreative } from "./schemas";

export const getCreativeRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getCreative",
    path: "/v1/projects/{projectId}/ads/creatives/{creativeId}",
    tags: ["Creatives"],
    summary: "Read one creative",
    request: { params: CreativeParams },
    responses: {
      200: { description: "The creative.", content: { "application/json": { schema: CreativeSchema } } },
    },
  },
);

export function registerGetCreative(app: OpenAPIHono<AppEnv>) {
  app.openapi(getCreativeRoute, async (c) => {
    const { projectId, creativeId } = c.req.valid("param");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    if (!isId("creative", creativeId)) throw notFound("Creative");
    const row = await findCreative(c.env.DB, project.id, creativeId);
    if (!row) throw notFound("Creative");
    return c.json(presentCreative(row), 200);
  });
}
