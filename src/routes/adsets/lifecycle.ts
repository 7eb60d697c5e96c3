/** Owns ad set pause, resume and delete: three structural writes that differ only in the status they ask for. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AdsetStatus } from "../../domain/adset-model";
import type { AppEnv } from "../../http/context";
import { lifecycleRoutes } from "../lifecycle-route";
import { AdsetParams } from "./schemas";
import { ADSET_WRITE_DESCRIPTION, submitAdsetWrite } from "./write";

const ADSET_PATH = "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}";

const route = lifecycleRoutes({
  tag: "Ad set writes",
  description: ADSET_WRITE_DESCRIPTION,
  params: AdsetParams,
});

export const pauseAdsetRoute = route(
  "post",
  `${ADSET_PATH}/pause`,
  "pauseAdset",
  "Pause an ad set (structural; pausing a paused ad set completes at once)",
);
export const resumeAdsetRoute = route(
  "post",
  `${ADSET_PATH}/resume`,
  "resumeAdset",
  "Resume a paused ad set (structural; resuming an active ad set completes at once)",
);
export const deleteAdsetRoute = route(
  "delete",
  ADSET_PATH,
  "deleteAdset",
  "Delete an ad set (structural; soft: it stays readable with status deleted)",
);

const submit =
  (action: "pause_adset" | "resume_adset" | "delete_adset", status: AdsetStatus) =>
  async (c: Context<AppEnv>) =>
    c.json(await submitAdsetWrite(c, AdsetParams.parse(c.req.param()), action, { status }), 202);

export function registerAdsetLifecycleWrites(app: OpenAPIHono<AppEnv>) {
  app.openapi(pauseAdsetRoute, submit("pause_adset", "paused"));
  app.openapi(resumeAdsetRoute, submit("resume_adset", "active"));
  app.openapi(deleteAdsetRoute, submit("delete_adset", "deleted"));
}
