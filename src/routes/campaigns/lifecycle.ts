/** Pause, resume and delete: three structural writes that differ only in the status they ask for. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ActionType, CampaignStatus } from "../../domain/campaign-model";
import type { AppEnv } from "../../http/context";
import { lifecycleRoutes } from "../lifecycle-route";
import { CampaignParams } from "../schemas";
import { campaignParams, submitCampaignWrite, WRITE_DESCRIPTION } from "./write";

const CAMPAIGN_PATH = "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}";

const route = lifecycleRoutes({
  tag: "Campaign writes",
  description: WRITE_DESCRIPTION,
  params: CampaignParams,
});

export const pauseCampaignRoute = route(
  "post",
  `${CAMPAIGN_PATH}/pause`,
  "pauseCampaign",
  "Pause a campaign (structural; pausing a paused campaign completes at once)",
);
export const resumeCampaignRoute = route(
  "post",
  `${CAMPAIGN_PATH}/resume`,
  "resumeCampaign",
  "Resume a paused campaign (structural; resuming an active campaign completes at once)",
);
export const deleteCampaignRoute = route(
  "delete",
  CAMPAIGN_PATH,
  "deleteCampaign",
  "Delete a campaign (structural; soft: it stays readable with status deleted)",
);

type LifecycleAction = Exclude<ActionType, "create_campaign" | "update_budget">;

const submit = (action: LifecycleAction, status: CampaignStatus) => async (c: Context<AppEnv>) =>
  c.json(await submitCampaignWrite(c, campaignParams(c), action, { status }), 202);

export function registerLifecycleWrites(app: OpenAPIHono<AppEnv>) {
  app.openapi(pauseCampaignRoute, submit("pause_campaign", "paused"));
  app.openapi(resumeCampaignRoute, submit("resume_campaign", "active"));
  app.openapi(deleteCampaignRoute, submit("delete_campaign", "deleted"));
}
