/** Creative library schemas: the create body and the read shape (with per-platform fit). */
import { z } from "@hono/zod-openapi";
import type { CreativeRow } from "../../db/creatives";
import {
  CALLS_TO_ACTION,
  type CallToAction,
  CREATIVE_FORMATS,
  type CreativeFormat,
  platformCreativeIssues,
} from "../../domain/creative-rules";
import { PLATFORMS } from "../../domain/platform-rules";
import { ActorRefSchema, ProjectParams } from "../schemas";

const httpsUrl = z
  .url({ protocol: /^https$/, message: "An absolute https:// URL." })
  .max(2048)
  .openapi({ example: "https://cdn.example.com/spring.mp4" });

export const CreateCreativeBodySchema = z
  .object({
    name: z.string().min(1).max(255).openapi({ example: "Spring sale — 15s" }),
    format: z.enum(CREATIVE_FORMATS),
    mediaUrl: httpsUrl,
    thumbnailUrl: httpsUrl.optional(),
    primaryText: z.string().min(1).max(2200).openapi({ example: "Spring sale: 20% off everything." }),
    headline: z.string().min(1).max(255).optional(),
    description: z.string().min(1).max(255).optional(),
    callToAction: z.enum(CALLS_TO_ACTION),
    linkUrl: httpsUrl.openapi({ example: "https://shop.example.com/spring" }),
  })
  .strict()
  .openapi("CreateCreativeRequest");

const IssueSchema = z.object({ path: z.string(), message: z.string() });

export const CreativeSchema = z
  .object({
    creativeId: z.string(),
    name: z.string(),
    format: z.enum(CREATIVE_FORMATS),
    mediaUrl: z.string(),
    thumbnailUrl: z.string().nullable(),
    primaryText: z.string(),
    headline: z.string().nullable(),
    description: z.string().nullable(),
    callToAction: z.enum(CALLS_TO_ACTION),
    linkUrl: z.string(),
    platformIssues: z
      .object({ meta: z.array(IssueSchema), tiktok: z.array(IssueSchema), apple: z.array(IssueSchema) })
      .openapi({
        description:
          "What keeps this creative from being used on each platform (pushing it there answers 422 with these); empty where it fits.",
      }),
    createdBy: ActorRefSchema,
    createdAt: z.string(),
  })
  .openapi("Creative");
export type CreativeView = z.infer<typeof CreativeSchema>;

export const CreativeParams = ProjectParams.extend({
  creativeId: z
    .string()
    .openapi({ param: { name: "creativeId", in: "path" }, example: "adc_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

export function presentCreative(row: CreativeRow): CreativeView {
  const content = {
    format: row.format as CreativeFormat,
    thumbnailUrl: row.thumbnailUrl,
    primaryText: row.primaryText,
    headline: row.headline,
    description: row.description,
    callToAction: row.callToAction as CallToAction,
  };
  const fit = Object.fromEntries(PLATFORMS.map((p) => [p, platformCreativeIssues(content, p)]));
  return {
    creativeId: row.id,
    name: row.name,
    mediaUrl: row.mediaUrl,
    linkUrl: row.linkUrl,
    ...content,
    platformIssues: fit as CreativeView["platformIssues"],
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}
