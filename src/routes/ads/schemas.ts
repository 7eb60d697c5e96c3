/** The ad and its review as the API shows them (Meta, TikTok), and their path parameters. */
import { z } from "@hono/zod-openapi";
import { AD_STATUSES, type AdRecord, REVIEW_STATUSES } from "../../domain/ad-model";
import { PlatformSchema, ProjectPlatformParams } from "../schemas";

export const AdParams = ProjectPlatformParams.extend({
  adId: z.string().openapi({ param: { name: "adId", in: "path" }, example: "ad_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

export const AdSchema = z
  .object({
    adId: z.string(),
    adsetId: z.string(),
    campaignId: z.string(),
    platform: PlatformSchema,
    creativeId: z.string(),
    name: z.string(),
    status: z.enum(AD_STATUSES).openapi({
      description: "`pruned`: its creative was taken out of rotation (Meta: archived; TikTok: disabled).",
    }),
    reviewStatus: z.enum(REVIEW_STATUSES),
    platformReason: z
      .string()
      .nullable()
      .openapi({ description: "The platform's reason for a disapproval." }),
    platformAdId: z.string(),
    submittedAt: z.string(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Ad");
export type AdView = z.infer<typeof AdSchema>;

export const ReviewSchema = z
  .object({
    adId: z.string(),
    adsetId: z.string(),
    campaignId: z.string(),
    creativeId: z.string(),
    status: z.enum(REVIEW_STATUSES),
    platformReason: z.string().nullable(),
    submittedAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi("AdReview");

/** The fields an ad's object record and its D1 copy share. */
export interface AdFields {
  id: string;
  adsetId: string;
  campaignId: string;
  platform: string;
  creativeId: string;
  name: string;
  status: string;
  reviewStatus: string;
  platformReason: string | null;
  platformAdId: string;
  submittedAt: string;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function adFields(a: AdRecord): AdFields {
  return { ...a, creativeId: a.creative.creativeId };
}

export function presentAd(a: AdFields): AdView {
  return {
    adId: a.id,
    adsetId: a.adsetId,
    campaignId: a.campaignId,
    platform: a.platform as AdView["platform"],
    creativeId: a.creativeId,
    name: a.name,
    status: a.status as AdView["status"],
    reviewStatus: a.reviewStatus as AdView["reviewStatus"],
    platformReason: a.platformReason,
    platformAdId: a.platformAdId,
    submittedAt: a.submittedAt,
    decidedAt: a.decidedAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function presentReview(a: AdFields): z.infer<typeof ReviewSchema> {
  return {
    adId: a.id,
    adsetId: a.adsetId,
    campaignId: a.campaignId,
    creativeId: a.creativeId,
    status: a.reviewStatus as AdView["reviewStatus"],
    platformReason: a.platformReason,
    submittedAt: a.submittedAt,
    decidedAt: a.decidedAt,
  };
}
