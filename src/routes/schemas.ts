/** Schemas shared across resources: path parameters, pagination, actors, authority blocks. */
import { z } from "@hono/zod-openapi";
import { MODES } from "../domain/authority";
import { PLATFORMS } from "../domain/platform-rules";

export const PlatformSchema = z.enum(PLATFORMS).openapi({ example: "meta" });
export const ModeSchema = z.enum(MODES);

export const AuthorityBlockSchema = z
  .object({ creative: ModeSchema, tactical: ModeSchema, structural: ModeSchema })
  .openapi("AuthorityBlock");

export const ActorRefSchema = z
  .object({
    actorType: z.enum(["partner", "user", "system"]),
    actorOrganizationId: z.string().nullable(),
    actorApiKeyId: z.string().nullable(),
  })
  .openapi("Actor");

export const ProjectParams = z.object({
  projectId: z
    .string()
    .openapi({ param: { name: "projectId", in: "path" }, example: "prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

export const ProjectPlatformParams = ProjectParams.extend({
  platform: PlatformSchema.openapi({ param: { name: "platform", in: "path" } }),
});

export const CampaignParams = ProjectPlatformParams.extend({
  campaignId: z
    .string()
    .openapi({ param: { name: "campaignId", in: "path" }, example: "cmp_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

/** `limit` as a query string: plain decimal digits (no `0x10`, `1e2`, ` 5`), in range, with a default. */
export const limitParam = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,6}$/, `A whole number from 1 to ${max}, in decimal digits.`)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max))
    .default(fallback)
    .openapi({
      param: { name: "limit", in: "query" },
      type: "integer",
      minimum: 1,
      maximum: max,
      default: fallback,
      example: fallback,
    });

/** Every list answers one page: `{ items, nextCursor }`, `nextCursor` null on the last page. */
export const pageSchema = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z
        .string()
        .nullable()
        .openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
    })
    .openapi(name);

export const cursorParam = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({ param: { name: "cursor", in: "query" } });

/** A comma-separated list of platforms in a query string. */
export const platformsParam = z
  .string()
  .transform((value, ctx) => {
    const items = value.split(",").map((p) => p.trim());
    const parsed = z.array(PlatformSchema).safeParse(items);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "Comma-separated list of meta, tiktok, apple." });
      return z.NEVER;
    }
    return parsed.data;
  })
  .optional()
  .openapi({ param: { name: "platforms", in: "query" }, type: "string", example: "meta,tiktok" });

export const booleanParam = z
  .enum(["true", "false"])
  .transform((v) => v === "true")
  .optional();

/** `status` as a query string: a comma-separated list of the resource's statuses. */
export function statusesQueryParam<const T extends readonly [string, ...string[]]>(statuses: T) {
  return z
    .string()
    .transform((value, ctx) => {
      const parsed = z.array(z.enum(statuses)).safeParse(value.split(",").map((s) => s.trim()));
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `Comma-separated list of ${statuses.join(", ")}.` });
        return z.NEVER;
      }
      return parsed.data;
    })
    .optional()
    .openapi({ param: { name: "status", in: "query" }, type: "string", example: "active,paused" });
}
