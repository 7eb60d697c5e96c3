import type { OpenAPIHono } from "@hono/zod-openapi";
import { insertCreative } from "../../db/creatives";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { actorOf, requireProject } from "../lookups";
import { ProjectParams } from "../schemas";
import { CreateCreativeBodySchema, CreativeSchema, presentCreative } from "./schemas";

export const createCreativeRoute = defineRoute(
  { scope: "ads:write:creative", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "createCreative",
    path: "/v1/projects/{projectId}/ads/creatives",
    tags: ["Creatives"],
    summary: "Add a creative to the project's library",
    description:
      "Stores media and copy once for the project. Nothing reaches a platform, so the gate is not asked; pushing the creative as an ad is a creative-axis write. `platformIssues` says what would keep it from each platform.",
    request: {
      params: ProjectParams,
      body: { required: true, content: { "application/json": { schema: CreateCreativeBodySchema } } },
    },
    responses: {
      201: {
        description: "The stored creative.",
        content: { "application/json": { schema: CreativeSchema } },
      },
    },
  },
);

export function registerCreateCreative(app: OpenAPIHono<AppEnv>) {
  app.openapi(createCreativeRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const body = c.req.valid("json");
    const caller = c.get("caller");
    const project = await requireProject(c.env.DB, caller, projectId);
    const row = {
      id: newId("creative"),
      organizationId: caller.organizationId,
      projectId: project.id,
      name: body.name,
      format: body.format,
      mediaUrl: body.mediaUrl,
      thumbnailUrl: body.thumbnailUrl ?? null,
      primaryText: body.primaryText,
      headline: body.headline ?? null,
      description: body.description ?? null,
      callToAction: body.callToAction,
      linkUrl: body.linkUrl,
      createdBy: actorOf(caller),
      createdAt: new Date().toISOString(),
    };
    await insertCreative(c.env.DB, row);
    return c.json(presentCreative(row), 201);
  });
}
