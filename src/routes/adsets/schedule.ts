/** Owns `PATCH …/adsets/:adsetId/schedule`: a tactical ad set write (flight dates and dayparts). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import { AdsetParams } from "./schemas";
import { ADSET_WRITE_DESCRIPTION, submitAdsetWrite } from "./write";

const Timestamp = z.iso.datetime({ message: "ISO 8601 UTC timestamp ending in Z" });

export const DaypartSchema = z
  .object({
    dayOfWeek: z.number().int().min(0).max(6).openapi({ description: "0 = Sunday … 6 = Saturday." }),
    startMinute: z.number().int().min(0).max(1439),
    endMinute: z.number().int().min(1).max(1440),
  })
  .strict()
  .openapi("Daypart", {
    description:
      "A weekly window in minutes from the day's 00:00 (end exclusive). Meta and Apple run ad sets in whole hours, TikTok in half hours.",
  });

export const DAYPARTS_DESCRIPTION =
  "When the ad set runs within the week; `[]` clears them (all day, every day). Meta: whole hours, only on an ad set with its own lifetime budget (`adset_schedule`, `pacing_type: day_parting`); TikTok: half hours (`dayparting`, 336 half-hour slots from Monday); Apple: whole hours (`targetingDimensions.daypart.userTime`). Anything else, and overlapping windows, answer 422.";

/** The schedule fields, as a new ad set's overrides or a partial change. */
export const ScheduleFieldsSchema = z
  .object({
    startTime: Timestamp.optional(),
    endTime: Timestamp.nullable().optional().openapi({
      description:
        "null removes the end (TikTok, Apple; not with a lifetime budget). Meta ends can be moved, not removed.",
    }),
    dayparts: z.array(DaypartSchema).max(168).optional().openapi({ description: DAYPARTS_DESCRIPTION }),
  })
  .strict();

export const AdsetSchedulePatchSchema = ScheduleFieldsSchema.refine((v) => Object.keys(v).length > 0, {
  message: "At least one schedule field.",
}).openapi("AdsetSchedulePatch", {
  description:
    "A partial change: the fields sent replace the ad set's. `endTime` must be after `startTime` and in the future.",
});

export const updateAdsetScheduleRoute = defineRoute(
  {
    scope: "ads:write:budgets",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "updateAdsetSchedule",
    path: "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/schedule",
    tags: ["Ad set writes"],
    summary: "Change an ad set's schedule and dayparts (tactical)",
    description: `${ADSET_WRITE_DESCRIPTION} actionType \`update_schedule\` (entityType \`adset\`).`,
    request: {
      params: AdsetParams,
      body: { required: true, content: { "application/json": { schema: AdsetSchedulePatchSchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerUpdateAdsetSchedule(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateAdsetScheduleRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    return c.json(await submitAdsetWrite(c, params, "update_schedule", body), 202);
  });
}
