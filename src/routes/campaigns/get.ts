import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { readCampaign } from "../../objects/campaign";
import { requireCampaignScope, requireLayer, unwrap } from "../lookups";
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
    const { project, scope } = await requireCampaignScope(c.env.DB, caller, params);
    // From the campaign object, not D1's copy: a read right after a write sees it.
    const { campaign, authority } = unwrap(await readCampaign(c.env, params.campaignId, scope));
    const defaults = authority.block
      ? authority.block
      : (await requireLayer(c.env, project.layerId, params.platform)).snapshot.defaults;
    return c.json(presentCampaign({ ...campaign, authority: authority.block }, defaults), 200);
  });
}
