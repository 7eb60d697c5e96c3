/** The ad account as every ad-account route shows it; credentials never appear here. */
import { z } from "@hono/zod-openapi";
import type { AdAccountRow } from "../../db/tenancy";
import type { Platform } from "../../domain/platform-rules";
import { PlatformSchema, ProjectParams } from "../schemas";

export const AdAccountSchema = z
  .object({
    adAccountId: z.string(),
    platform: PlatformSchema,
    externalId: z.string(),
    name: z.string(),
    currency: z.string(),
    timezone: z.string(),
    tokenStatus: z.enum(["valid", "expired", "revoked"]),
    tokenLastValidatedAt: z
      .string()
      .nullable()
      .openapi({ description: "When the platform last confirmed the stored credentials." }),
    tokenExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "When the access token lapses, where the platform says." }),
    connection: z.enum(["sandbox", "live"]),
    connectedAt: z.string(),
    lastSyncedAt: z.string().nullable(),
  })
  .openapi("AdAccount");

export type AdAccountView = z.infer<typeof AdAccountSchema>;

export function presentAdAccount(r: AdAccountRow): AdAccountView {
  return {
    adAccountId: r.id,
    platform: r.platform as Platform,
    externalId: r.externalId,
    name: r.name,
    currency: r.currency,
    timezone: r.timezone,
    tokenStatus: r.tokenStatus as AdAccountView["tokenStatus"],
    tokenLastValidatedAt: r.tokenLastValidatedAt,
    tokenExpiresAt: r.tokenExpiresAt,
    connection: r.connection === "live" ? "live" : "sandbox",
    connectedAt: r.connectedAt,
    lastSyncedAt: r.lastSyncedAt,
  };
}

export const AdAccountParams = ProjectParams.extend({
  adAccountId: z
    .string()
    .openapi({ param: { name: "adAccountId", in: "path" }, example: "aa_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});
