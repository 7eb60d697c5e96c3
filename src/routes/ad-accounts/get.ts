import type { OpenAPIHono } from "@hono/zod-openapi";
import { findAdAccount } from "../../db/tenancy";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { AdAccountParams, AdAccountSchema, presentAdAccount } from "./schemas";

export const getAdAccountRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getAdAccount",
    path: "/v1/projects/{projectId}/ads/ad-accounts/{adAccountId}",
    tags: ["Ad accounts"],
    summary: "Read an ad account and the health of its platform credentials",
    request: { params: AdAccountParams },
    responses: {
      200: { description: "The ad account.", content: { "application/json": { schema: AdAccountSchema } } },
    },
  },
);

export function registerGetAdAccount(app: OpenAPIHono<AppEnv>) {
  app.openapi(getAdAccountRoute, async (c) => {
    const { projectId, adAccountId } = c.req.valid("param");
    const project = await requireProject(c.env.DB, c.get("caller"), projectId);
    const row = isId("adAccount", adAccountId)
      ? await findAdAccount(c.env.DB, project.id, adAccountId)
      : null;
    if (!row) throw notFound("Ad account");
    return c.json(presentAdAccount(row), 200);
  });
}
