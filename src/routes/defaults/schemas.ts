import { z } from "@hono/zod-openapi";
import type { LayerPolicyRow } from "../../db/tenancy";
import { policyDefaults } from "../../db/tenancy";
import { ActorRefSchema, AuthorityBlockSchema, ModeSchema, PlatformSchema } from "../schemas";

export const LayerDefaultsSchema = z
  .object({
    layerId: z.string(),
    platform: PlatformSchema,
    defaults: AuthorityBlockSchema,
    killSwitchActive: z.boolean(),
    partnerWritesEnabled: z.boolean(),
    partnerDefaultsChangesAllowed: z.boolean(),
    partnerApprovalsEnabled: z.boolean().openapi({
      description:
        "Customer-only: partner keys with `ads:write:pending` may approve or reject pending actions, never ones they requested.",
    }),
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

export function presentDefaults(row: LayerPolicyRow) {
  return {
    layerId: row.layerId,
    platform: row.platform as z.infer<typeof PlatformSchema>,
    defaults: policyDefaults(row),
    killSwitchActive: row.killSwitchActive,
    partnerWritesEnabled: row.partnerWritesEnabled,
    partnerDefaultsChangesAllowed: row.partnerDefaultsChangesAllowed,
    partnerApprovalsEnabled: row.partnerApprovalsEnabled,
    lastModifiedAt: row.lastModifiedAt,
    lastModifiedBy: row.lastModifiedBy,
  };
}

export const defaultsETag = (row: LayerPolicyRow) => `"l${row.version}"`;
