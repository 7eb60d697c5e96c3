/** Pause, resume and delete: three structural writes that differ only in the status they ask for. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ActionType, CampaignStatus } from "../../domain/campaign-model";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { CampaignParams } from "../schemas";
import { WriteAcceptedSchema } from "./schemas";
import { campaignParams, submitCampaignWrite, WRITE_DESCRIPTION } from "./write";

const NoFieldsBody = z.object({}).strict().openapi("NoFields");

const CAMPAIGN_PATH = "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}";

function lifecycleRoute<const M extends "post" | "delete", const P extends string>(
  method: M,
  path: P,
  operationId: string,
  summary: string,
) {
  return defineRoute(
    {
      scope: "ads:write:lifecycle",
      endpointClass: "write",
      errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
      dryRun: true,
    },
    {
      method,
      operationId,
      path,
      tags: ["Campaign writes"],
      summary,
      description: WRITE_DESCRIPTION,
      request: {
        params: CampaignParams,
        // No fields: a body, when sent, must be an empty object (unknown fields are refused, as on create).
        body: { required: false, content: { "application/json": { schema: NoFieldsBody } } },
      },
      responses: {
        202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
      },
    },
  );
}

export const pauseCampaignRoute = lifecycleRoute(
  "post",
  `${CAMPAIGN_PATH}/pause`,
  "pauseCampaign",
  "Pause a campaign (structural; pausing a paused campaign completes at once)",
);
export const resumeCampaignRoute = lifecycleRoute(
  "post",
  `${CAMPAIGN_PATH}/resume`,
  "resumeCampaign",
  "Resume a paused campaign (structural; resuming an active campaign completes at once)",
);
export const deleteCampaignRoute = lifecycleRoute(
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
