import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { campaignObject } from "../../objects/campaign";
import { requireCampaignScope, requireLayer, unwrap } from "../lookups";
import { CampaignParams } from "../schemas";
import { AuthorityViewSchema } from "./schemas";

export const getAuthorityRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getCampaignAuthority",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/authority",
    tags: ["Authority"],
    summary: "Inspect a campaign's authority block",
    description:
      "`source` is `per_campaign` when the campaign has its own pinned block, `layer_defaults` when it inherits the layer's defaults. The `ETag` feeds `If-Match` on PATCH.",
    request: { params: CampaignParams },
    responses: {
      200: {
        description: "The effective authority block.",
        content: { "application/json": { schema: AuthorityViewSchema } },
      },
    },
  },
);

export function registerGetAuthority(app: OpenAPIHono<AppEnv>) {
  app.openapi(getAuthorityRoute, async (c) => {
    const params = c.req.valid("param");
    const { project, scope } = await requireCampaignScope(c.env.DB, c.get("caller"), params);
    const campaign = campaignObject(c.env, params.campaignId);
    // Pinned blocks (every campaign created here) need no layer read.
    let { view } = unwrap(await campaign.getAuthority(scope, null));
    if (!view) {
      const { snapshot } = await requireLayer(c.env, project.layerId, params.platform);
      ({ view } = unwrap(await campaign.getAuthority(scope, snapshot)));
    }
    if (!view) throw notFound("Campaign");
    const { etag, ...body } = view;
    c.header("ETag", etag);
    return c.json({ ...body, platform: params.platform }, 200);
  });
}
