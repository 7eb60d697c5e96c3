import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { requireLayer, requireProject } from "../lookups";
import { ProjectPlatformParams } from "../schemas";
import { defaultsETag, LayerDefaultsSchema, presentDefaults } from "./schemas";

export const getDefaultsRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getLayerDefaults",
    path: "/v1/projects/{projectId}/ads/{platform}/defaults",
    tags: ["Authority"],
    summary: "Read the layer defaults and the customer's switches for a platform",
    request: { params: ProjectPlatformParams },
    responses: {
      200: {
        description: "The layer's policy block.",
        content: { "application/json": { schema: LayerDefaultsSchema } },
      },
    },
  },
);

export function registerGetDefaults(app: OpenAPIHono<AppEnv>) {
  app.openapi(getDefaultsRoute, async (c) => {
    const { projectId, platform } = c.req.valid("param");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    // From the layer object, the policy's single writer: a read right after a change sees it.
    const { policy } = await requireLayer(c.env, project.layerId, platform);
    c.header("ETag", defaultsETag(policy));
    return c.json(presentDefaults(policy), 200);
  });
}
