/** Owns `POST …/ads/:platform/adsets/:adsetId/ads`: push a library creative to an ad set as a new ad. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AdValue } from "../../domain/ad-model";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { AdsetParams } from "../adsets/schemas";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import { AD_WRITE_DESCRIPTION, creativeFor, submitAdWrite } from "./write";

export const PushCreativeBodySchema = z
  .object({
    creativeId: z.string().min(1).max(64).openapi({ example: "adc_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
    name: z.string().min(1).max(255).optional().openapi({ description: "Defaults to the creative's name." }),
  })
  .strict()
  .openapi("PushCreativeRequest");

export const pushCreativeRoute = defineRoute(
  {
    scope: "ads:write:creative",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "post",
    operationId: "pushCreative",
    path: "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/ads",
    tags: ["Ad writes"],
    summary: "Push a library creative to an ad set as a new ad (creative axis)",
    description: `${AD_WRITE_DESCRIPTION} The adapter uploads the media and creates the platform's creative and ad (Meta: image or video, ad creative, ad; TikTok: video and cover upload, ad). The creative must fit the platform (its \`platformIssues\`), else 422. The job's \`result\` names the new ad: \`adId\`, \`platformAdId\`; the ad then starts in \`pending_review\` and its review is followed until the platform decides.`,
    request: {
      params: AdsetParams,
      body: { required: true, content: { "application/json": { schema: PushCreativeBodySchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerPushCreative(app: OpenAPIHono<AppEnv>) {
  app.openapi(pushCreativeRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    const value = async (project: { id: string }): Promise<AdValue> => {
      const creative = await creativeFor(c.env.DB, project.id, body.creativeId, params.platform);
      return {
        adId: newId("ad"),
        name: body.name ?? creative.name,
        creativeId: creative.creativeId,
        creative,
      };
    };
    return c.json(await submitAdWrite(c, params, "push_creative", value), 202);
  });
}
