import type { OpenAPIHono } from "@hono/zod-openapi";
import { findCampaign } from "../../db/campaigns";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireCampaignContext } from "../lookups";
import { CampaignParams } from "../schemas";
import { presentCampaign } from "./present";
import { CampaignSchema } from "./schemas";

export const getCampaignRoute = defineRoute(
  { scope: "ads:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getCampaign",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}",
    tags: ["Campaigns"],
    summary: "Read a campaign",
    description:
      "`status` is `pending` until the platform create completes (`awaiting_approval` while its create waits for approval), then `active` | `paused` | `deleted`; `failed` when the platform refused or retries ran out; `rejected` when its queued create was rejected or expired. `platformCampaignId` is null until the create completed.",
    request: { params: CampaignParams },
    responses: {
      200: { description: "The campaign.", content: { "application/json": { schema: CampaignSchema } } },
    },
  },
);

export function registerGetCampaign(app: OpenAPIHono<AppEnv>) {
  app.openapi(getCampaignRoute, async (c) => {
    const params = c.req.valid("param");
    const caller = c.get("caller");
    const { layer, scope } = await requireCampaignContext(c.env.DB, caller, params);
    const row = await findCampaign(c.env.DB, caller.organizationId, params.campaignId);
    if (!row || row.projectId !== scope.projectId || row.platform !== scope.platform)
      throw notFound("Campaign");
    return c.json(presentCampaign(row, layer.defaults), 200);
  });
}
