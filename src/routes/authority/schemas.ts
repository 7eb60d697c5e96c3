import { z } from "@hono/zod-openapi";
import { ActorRefSchema, AuthorityBlockSchema, ModeSchema, PlatformSchema } from "../schemas";

export const AuthorityViewSchema = z
  .object({
    campaignId: z.string(),
    platform: PlatformSchema,
    authority: AuthorityBlockSchema,
    source: z.enum(["per_campaign", "layer_defaults"]),
    lastModifiedAt: z.string(),
    lastModifiedBy: ActorRefSchema,
  })
  .openapi("CampaignAuthority");

export const AuthorityPatchSchema = z
  .object({
    authority: z
      .object({
        creative: ModeSchema.optional(),
        tactical: ModeSchema.optional(),
        structural: ModeSchema.optional(),
      })
      .strict()
      .refine((block) => Object.keys(block).length > 0, { message: "Set at least one axis." }),
  })
  .strict()
  .openapi("CampaignAuthorityPatch");

export const AuthorityPatchResultSchema = z
  .object({ campaignId: z.string(), authority: AuthorityBlockSchema, verdictId: z.string() })
  .openapi("CampaignAuthorityPatchResult");

export const IfMatchHeader = z.object({
  "if-match": z
    .string()
    .max(256)
    .optional()
    .openapi({ description: "An ETag from a previous read; 412 if stale." }),
});
