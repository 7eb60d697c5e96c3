/** Owns ad pause, resume and delete: three structural writes that differ only in the status they ask for. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AdStatus } from "../../domain/ad-model";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import { AdParams } from "./schemas";
import { AD_WRITE_DESCRIPTION, submitAdWrite } from "./write";

const AD_PATH = "/v1/projects/{projectId}/ads/{platform}/ads/{adId}";

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
      tags: ["Ad writes"],
      summary,
      description: AD_WRITE_DESCRIPTION,
      request: {
        params: AdParams,
        body: { required: false, content: { "application/json": { schema: z.object({}).strict() } } },
      },
      responses: {
        202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
      },
    },
  );
}

export const pauseAdRoute = lifecycleRoute("post", `${AD_PATH}/pause`, "pauseAd", "Pause an ad (structural)");
export const resumeAdRoute = lifecycleRoute(
  "post",
  `${AD_PATH}/resume`,
  "resumeAd",
  "Resume a paused ad (structural)",
);
export const deleteAdRoute = lifecycleRoute(
  "delete",
  AD_PATH,
  "deleteAd",
  "Delete an ad (structural; soft: it stays readable with status deleted)",
);

const submit =
  (action: "pause_ad" | "resume_ad" | "delete_ad", status: AdStatus) => async (c: Context<AppEnv>) =>
    c.json(await submitAdWrite(c, AdParams.parse(c.req.param()), action, { status }), 202);

export function registerAdLifecycleWrites(app: OpenAPIHono<AppEnv>) {
  app.openapi(pauseAdRoute, submit("pause_ad", "paused"));
  app.openapi(resumeAdRoute, submit("resume_ad", "active"));
  app.openapi(deleteAdRoute, submit("delete_ad", "deleted"));
}
