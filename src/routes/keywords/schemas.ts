/** The Apple keyword as the API shows it, the three bulk write bodies, and the path parameters. */
import { z } from "@hono/zod-openapi";
import { APPLE_KEYWORD_LIMITS } from "../../domain/keyword-model";
import { ProjectParams } from "../schemas";

const L = APPLE_KEYWORD_LIMITS;

export const KEYWORD_STATUSES = ["active", "paused", "deleted"] as const;

export const KeywordParams = ProjectParams.extend({
  adsetId: z
    .string()
    .openapi({ param: { name: "adsetId", in: "path" }, example: "adg_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

const TextSchema = z
  .string()
  .min(1)
  .max(L.maxTextLength)
  .openapi({
    description: `At most ${L.maxTextLength} characters and ${L.maxWords} words; case is ignored.`,
  });
const MatchTypeSchema = z.enum(["exact", "broad"]);
const BID_DESCRIPTION = "Max cost-per-tap bid, in cents; at most the campaign's daily budget.";
const BidSchema = z
  .number()
  .int()
  .min(L.minBidCents)
  .max(L.maxBidCents)
  .openapi({ description: BID_DESCRIPTION });
const SettableStatusSchema = z.enum(["active", "paused"]);
const KeywordIdSchema = z.string().min(1).max(64).openapi({ example: "kw_01JD2V4W3X5Y6Z7A8B9C0D1E2F" });

const bulk = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(L.maxPerRequest);

export const AddKeywordsSchema = z
  .object({
    keywords: bulk(
      z
        .object({
          text: TextSchema,
          matchType: MatchTypeSchema,
          bidAmountCents: BidSchema.optional().openapi({
            description: "Omitted: the ad group's default bid.",
          }),
          status: SettableStatusSchema.optional().openapi({ description: "Default `active`." }),
        })
        .strict(),
    ),
  })
  .strict()
  .openapi("AddKeywords");

export const UpdateKeywordsSchema = z
  .object({
    keywords: bulk(
      z
        .object({
          keywordId: KeywordIdSchema,
          bidAmountCents: BidSchema.optional(),
          status: SettableStatusSchema.optional(),
        })
        .strict()
        .refine((k) => k.bidAmountCents !== undefined || k.status !== undefined, {
          message: "Each item changes bidAmountCents, status or both.",
        }),
    ),
  })
  .strict()
  .openapi("UpdateKeywords", {
    description: "Text and match type cannot change on Apple: delete and add instead.",
  });

export const DeleteKeywordsSchema = z
  .object({ keywords: bulk(z.object({ keywordId: KeywordIdSchema }).strict()) })
  .strict()
  .openapi("DeleteKeywords");

export const KeywordSchema = z
  .object({
    keywordId: z.string(),
    adsetId: z.string(),
    campaignId: z.string(),
    text: z.string(),
    matchType: MatchTypeSchema,
    bidAmountCents: z.number().int().nullable().openapi({ description: "Null: the ad group's default bid." }),
    status: z.enum(KEYWORD_STATUSES),
    platformKeywordId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Keyword");

/** One item of a keyword job's `result.keywords`, in the order of the request. */
export const KeywordResultSchema = z
  .object({
    keywordId: z.string(),
    platformKeywordId: z.string().optional(),
    status: z.enum(["created", "updated", "deleted", "failed"]),
    error: z
      .object({
        code: z.literal("PLATFORM_REJECTED"),
        message: z.string(),
        platformCode: z.string().optional(),
      })
      .optional(),
  })
  .openapi("KeywordResult");

export const KEYWORD_WRITE_DESCRIPTION =
  "Apple Search Ads only (the ad group's targeting keywords). Judged by the parent campaign's **creative** axis: `auto` dispatches (job `queued`), `draft` queues one pending action for the whole request with `entityType: \"adset\"` (job `awaiting_approval`, `pendingId` in the answer), `off` — or the kill switch, or partner writes turned off — denies with 403 AUTHORITY_DENIED. Every outcome has a verdict. 1–200 keywords per request; Apple's limits (text, words, bid range, duplicates within the request or with the ad group's keywords, 5000 per ad group, unknown or deleted `keywordId`s) answer 422 before the gate. Apple answers per keyword: the job completes with `result.keywords`, one entry per requested keyword in request order, each `created` | `updated` | `deleted` | `failed` (with `error`), so a completed job can hold failed items. An ad group not yet on the platform, or a deleted one, answers 409.";
