/** The ad set as the API shows it (TikTok and Apple: ad group), and its path parameters. */
import { z } from "@hono/zod-openapi";
import type { AdsetRecord } from "../../domain/adset-model";
import { PlatformSchema, ProjectPlatformParams } from "../schemas";

export const ADSET_STATUSES = ["pending", "active", "paused", "deleted", "failed", "rejected"] as const;

export const AdsetParams = ProjectPlatformParams.extend({
  adsetId: z
    .string()
    .openapi({ param: { name: "adsetId", in: "path" }, example: "adg_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

export const AdsetSchema = z
  .object({
    adsetId: z.string(),
    campaignId: z.string(),
    platform: PlatformSchema,
    name: z.string(),
    status: z.enum(ADSET_STATUSES),
    optimizationGoal: z.string(),
    billingEvent: z.string(),
    bidStrategy: z.record(z.string(), z.unknown()),
    dailyBudgetCents: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Null while the budget lives on the campaign." }),
    lifetimeBudgetCents: z.number().int().nullable(),
    targeting: z.record(z.string(), z.unknown()),
    schedule: z.object({
      startTime: z.string().nullable(),
      endTime: z.string().nullable(),
      dayparts: z
        .array(
          z.object({
            dayOfWeek: z.number().int(),
            startMinute: z.number().int(),
            endMinute: z.number().int(),
          }),
        )
        .openapi({
          description: "Weekly windows (dayOfWeek 0 = Sunday, minutes from 00:00); empty: all day.",
        }),
    }),
    platformAdsetId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Adset");

export type AdsetView = z.infer<typeof AdsetSchema>;

/** From the campaign object's record or its D1 copy (same field names). */
export function presentAdset(
  a: Pick<
    AdsetRecord,
    | "id"
    | "campaignId"
    | "name"
    | "optimizationGoal"
    | "billingEvent"
    | "bidStrategy"
    | "dailyBudgetCents"
    | "lifetimeBudgetCents"
    | "targeting"
    | "platformAdsetId"
    | "createdAt"
    | "updatedAt"
  > & { platform: string; status: string; schedule: object },
): AdsetView {
  const schedule = a.schedule as {
    startTime?: string | null;
    endTime?: string | null;
    dayparts?: AdsetView["schedule"]["dayparts"];
  };
  return {
    adsetId: a.id,
    campaignId: a.campaignId,
    platform: a.platform as AdsetView["platform"],
    name: a.name,
    status: a.status as AdsetView["status"],
    optimizationGoal: a.optimizationGoal,
    billingEvent: a.billingEvent,
    bidStrategy: a.bidStrategy,
    dailyBudgetCents: a.dailyBudgetCents,
    lifetimeBudgetCents: a.lifetimeBudgetCents,
    targeting: a.targeting,
    schedule: {
      startTime: schedule.startTime ?? null,
      endTime: schedule.endTime ?? null,
      dayparts: schedule.dayparts ?? [],
    },
    platformAdsetId: a.platformAdsetId,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}
