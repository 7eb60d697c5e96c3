/** Owns ad pause, resume and delete: three structural writes that differ only in the status they ask for. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AdStatus } from "../../domain/ad-model";
import type { AppEnv } from "../../http/context";
import { lifecycleRoutes } from "../lifecycle-route";
import { AdParams } from "./schemas";
import { AD_WRITE_DESCRIPTION, submitAdWrite } from "./write";

const AD_PATH = "/v1/projects/{projectId}/ads/{platform}/ads/{adId}";

const route = lifecycleRoutes({ tag: "Ad writes", description: AD_WRITE_DESCRIPTION, params: AdParams });

export const pauseAdRoute = route("post", `${AD_PATH}/pause`, "pauseAd", "Pause an ad (structural)");
export const resumeAdRoute = route(
  "post",
  `${AD_PATH}/resume`,
  "resumeAd",
  "Resume a paused ad (structural)",
);
export const deleteAdRoute = route(
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
