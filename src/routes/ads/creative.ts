/** Owns `PUT|DELETE …/ads/:platform/ads/:adId/creative`: replace or prune an ad's creative (creative axis). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { CreativeValue } from "../../domain/ad-model";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import { AdParams } from "./schemas";
import { AD_WRITE_DESCRIPTION, creativeFor, submitAdWrite } from "./write";

export const ReplaceCreativeBodySchema = z
  .object({ creativeId: z.string().min(1).max(64).openapi({ example: "adc_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }) })
  .strict()
  .openapi("ReplaceCreativeRequest");

export const replaceCreativeRoute = defineRoute(
  {
    scope: "ads:write:creative",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "put",
    operationId: "replaceCreative",
    path: "/v1/projects/{projectId}/ads/{platform}/ads/{adId}/creative",
    tags: ["Ad writes"],
    summary: "Replace an ad's creative (creative axis; a new review)",
    description: `${AD_WRITE_DESCRIPTION} Platforms treat creatives as immutable: the adapter creates a new platform creative and points the ad at it (Meta \`POST /{ad_id}\` \`creative\`; TikTok \`/ad/update/\`). The ad goes back to \`pending_review\`. Replacing with the ad's current creative completes at once.`,
    request: {
      params: AdParams,
      body: { required: true, content: { "application/json": { schema: ReplaceCreativeBodySchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export const pruneCreativeRoute = defineRoute(
  {
    scope: "ads:write:creative",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED", "WOULD_LEAVE_ADSET_EMPTY"],
    dryRun: true,
  },
  {
    method: "delete",
    operationId: "pruneCreative",
    path: "/v1/projects/{projectId}/ads/{platform}/ads/{adId}/creative",
    tags: ["Ad writes"],
    summary: "Prune an ad's creative: take it out of rotation (creative axis)",
    description: `${AD_WRITE_DESCRIPTION} The ad becomes \`pruned\` (Meta: archived; TikTok: disabled). Pruning the last serving ad of its ad set answers 409 WOULD_LEAVE_ADSET_EMPTY before anything is queued or judged.`,
    request: {
      params: AdParams,
      body: { required: false, content: { "application/json": { schema: z.object({}).strict() } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerCreativeWrites(app: OpenAPIHono<AppEnv>) {
  app.openapi(replaceCreativeRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    const value = async (project: { id: string }): Promise<CreativeValue> => {
      const creative = await creativeFor(c.env.DB, project.id, body.creativeId, params.platform);
      return { adId: params.adId, creativeId: creative.creativeId, creative };
    };
    return c.json(await submitAdWrite(c, params, "replace_creative", value), 202);
  });
  app.openapi(pruneCreativeRoute, async (c) =>
    c.json(await submitAdWrite(c, c.req.valid("param"), "prune_creative", { status: "pruned" }), 202),
  );
}
