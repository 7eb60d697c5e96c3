import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findProject, listAdAccounts } from "../../db/tenancy";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { booleanParam, ProjectParams, pageSchema, platformsParam } from "../schemas";
import { AdAccountSchema, presentAdAccount } from "./schemas";

export const listAdAccountsRoute = defineRoute(
  {
    scope: "ads:read",
    endpointClass: "read",
    errors: ["NOT_FOUND", "VALIDATION"],
  },
  {
    method: "get",
    operationId: "listAdAccounts",
    path: "/v1/projects/{projectId}/ads/ad-accounts",
    tags: ["Ad accounts"],
    summary: "List the project's connected ad accounts",
    request: {
      params: ProjectParams,
      query: z.object({
        platforms: platformsParam,
        healthy: booleanParam.openapi({ param: { name: "healthy", in: "query" }, type: "boolean" }),
      }),
    },
    responses: {
      200: {
        description: "The ad accounts.",
        content: { "application/json": { schema: pageSchema(AdAccountSchema, "AdAccountPage") } },
      },
    },
  },
);

export function registerListAdAccounts(app: OpenAPIHono<AppEnv>) {
  app.openapi(listAdAccountsRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const { platforms, healthy } = c.req.valid("query");
    if (!isId("project", projectId)) throw notFound("Project");
    const project = await findProject(c.env.DB, c.get("caller").organizationId, projectId);
    if (!project) throw notFound("Project");
    const rows = await listAdAccounts(c.env.DB, projectId, { platforms, healthy });
    return c.json(
      {
        items: rows.map(presentAdAccount),
        // Every account of a project fits in one page.
        nextCursor: null,
      },
      200,
    );
  });
}
