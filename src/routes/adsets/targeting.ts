/** Owns `PATCH …/adsets/:adsetId/targeting`: a tactical ad set write. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import { AdsetParams } from "./schemas";
import { ADSET_WRITE_DESCRIPTION, submitAdsetWrite } from "./write";

/** The targeting fields, as a new ad set's overrides or a partial change. */
export const TargetingFieldsSchema = z
  .object({
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2, upper case."))
      .min(1)
      .max(50)
      .optional(),
    ageMin: z.number().int().min(13).max(100).optional(),
    ageMax: z.number().int().min(13).max(100).optional(),
    genders: z
      .array(z.enum(["male", "female"]))
      .min(1)
      .max(2)
      .optional(),
    placements: z
      .union([z.literal("automatic"), z.array(z.string().min(1).max(64)).min(1).max(10)])
      .optional(),
  })
  .strict();

export const TargetingPatchSchema = TargetingFieldsSchema.refine((v) => Object.keys(v).length > 0, {
  message: "At least one targeting field.",
}).openapi("TargetingPatch", {
  description:
    "A partial change: the fields sent replace the ad set's, the others stay. Each platform's limits answer 422 (Meta ages 13–65; Apple ages from 18 and no country change on an ad group; TikTok placements are fixed at create and countries need a TikTok location id).",
});

export const updateTargetingRoute = defineRoute(
  {
    scope: "ads:write:targeting",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "updateAdsetTargeting",
    path: "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/targeting",
    tags: ["Ad set writes"],
    summary: "Change an ad set's targeting (tactical)",
    description: ADSET_WRITE_DESCRIPTION,
    request: {
      params: AdsetParams,
      body: { required: true, content: { "application/json": { schema: TargetingPatchSchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerUpdateTargeting(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateTargetingRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await submitAdsetWrite(c, params, "update_targeting", body), 202);
  });
}
