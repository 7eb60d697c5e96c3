import { z } from "@hono/zod-openapi";
import { type LayerPolicy, publicForm } from "../../domain/layer-policy";
import { policyETag } from "../../objects/layer-policy";
import { ActorRefSchema, AuthorityBlockSchema, ModeSchema, PlatformSchema } from "../schemas";

export const LayerDefaultsSchema = z
  .object({
    layerId: z.string(),
    platform: PlatformSchema,
    defaults: AuthorityBlockSchema,
    killSwitchActive: z.boolean(),
    partnerWritesEnabled: z.boolean(),
    partnerDefaultsChangesAllowed: z.boolean(),
    partnerApprovalsEnabled: z
      .boolean()
      .openapi({ description: "Customer-only: partners may approve pending actions (default off)." }),
    lastModifiedAt: z.string(),
    lastModifiedBy: ActorRefSchema,
  })
  .openapi("LayerDefaults");

export const LayerDefaultsPatchSchema = z
  .object({
    defaults: z
      .object({
        creative: ModeSchema.optional(),
        tactical: ModeSchema.optional(),
        structural: ModeSchema.optional(),
      })
      .strict()
      .optional(),
    killSwitchActive: z.boolean().optional(),
    partnerWritesEnabled: z.boolean().optional(),
    partnerDefaultsChangesAllowed: z.boolean().optional(),
    partnerApprovalsEnabled: z.boolean().optional(),
  })
  .strict()
  .refine(
    (body) =>
      Object.keys(body.defaults ?? {}).length > 0 ||
      body.killSwitchActive !== undefined ||
      body.partnerWritesEnabled !== undefined ||
      body.partnerDefaultsChangesAllowed !== undefined ||
      body.partnerApprovalsEnabled !== undefined,
    { message: "Change at least one field." },
  )
  .openapi("LayerDefaultsPatch");

export function presentDefaults(policy: LayerPolicy) {
  const view = publicForm(policy);
  return { ...view, platform: view.platform as z.infer<typeof PlatformSchema> };
}

export const defaultsETag = policyETag;
