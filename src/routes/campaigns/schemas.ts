/** Campaign schemas shared by the campaign routes: the create body, the read shape, write results. */
import { z } from "@hono/zod-openapi";
import { MANAGEMENT_MODES } from "../../domain/authority";
import { BID_STRATEGY_TYPES, OUTCOMES } from "../../domain/platform-rules";
import { AuthorityBlockSchema, PlatformSchema } from "../schemas";

const ALL_BID_TYPES = [...new Set(Object.values(BID_STRATEGY_TYPES).flat())] as [string, ...string[]];

export const BidStrategySchema = z
  .object({
    type: z.enum(ALL_BID_TYPES),
    bidAmountCents: z.number().int().positive().optional(),
    targetCpaCents: z.number().int().positive().optional(),
    roasFloor: z.number().positive().max(1000).optional(),
  })
  .strict()
  .openapi("BidStrategy", {
    description:
      "Meta: LOWEST_COST_WITHOUT_CAP (default) | LOWEST_COST_WITH_BID_CAP, COST_CAP (+bidAmountCents) | LOWEST_COST_WITH_MIN_ROAS (+roasFloor). TikTok: BID_TYPE_NO_BID (default) | BID_TYPE_CUSTOM (+bidAmountCents). Apple: MANUAL_CPT (default) | MAX_CONVERSIONS (+targetCpaCents).",
  });

export const TargetingSchema = z
  .object({
    countries: z
      .array(z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2, upper case"))
      .min(1)
      .max(250)
      .optional(),
    ageMin: z.number().int().min(13).max(65).optional(),
    ageMax: z.number().int().min(13).max(65).optional(),
    genders: z
      .array(z.enum(["male", "female"]))
      .min(1)
      .max(2)
      .optional(),
  })
  .strict()
  .openapi("TargetingInput");

const ManagementModeSchema = z.enum(MANAGEMENT_MODES);
const Timestamp = z.iso.datetime({ message: "ISO 8601 UTC timestamp ending in Z" });

export const CreateCampaignBodySchema = z
  .object({
    adAccountId: z.string().min(1).max(64).openapi({ example: "aa_01JD0000000000000000000001" }),
    name: z.string().min(1).max(128).openapi({ example: "Q3 prospecting" }),
    outcome: z.enum(OUTCOMES),
    dailyBudgetCents: z.number().int().positive().optional().openapi({ example: 5000 }),
    lifetimeBudgetCents: z.number().int().positive().optional(),
    campaignManagementMode: ManagementModeSchema,
    creativeMode: ManagementModeSchema,
    startTime: Timestamp.optional(),
    endTime: Timestamp.optional(),
    bidStrategy: BidStrategySchema.optional(),
    targeting: TargetingSchema.optional(),
    budgetLevel: z.enum(["campaign", "adset"]).optional().openapi({
      description:
        "Where the budget lives (default `campaign`: Meta Advantage campaign budget, TikTok campaign budget). `adset`: the campaign gets none and the budget given here goes to its default ad set; every further ad set brings its own (Meta and TikTok; Apple ad groups have no budget).",
    }),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "Free-form, ≤ 8 KB serialized." }),
  })
  .strict()
  .openapi("CreateCampaignRequest");
export type CreateCampaignBody = z.infer<typeof CreateCampaignBodySchema>;

export const CreateCampaignAcceptedSchema = z
  .object({
    jobId: z.string(),
    campaignId: z.string(),
    verdictId: z.string(),
    kind: z.literal("ads_create_campaign"),
    status: z.literal("running"),
    platform: PlatformSchema,
    authority: AuthorityBlockSchema,
    locationUrl: z.string(),
    pendingId: z.string().optional(),
  })
  .openapi("CreateCampaignAccepted");

export const WriteAcceptedSchema = z
  .object({
    jobId: z.string(),
    verdictId: z.string(),
    status: z.enum(["running", "completed", "failed", "canceled"]),
    pendingId: z.string().optional(),
  })
  .openapi("WriteAccepted");

export const CAMPAIGN_STATUSES = [
  "pending",
  "awaiting_approval",
  "active",
  "paused",
  "deleted",
  "failed",
  "rejected",
] as const;

export const CampaignSchema = z
  .object({
    campaignId: z.string(),
    projectId: z.string(),
    platform: PlatformSchema,
    adAccountId: z.string(),
    name: z.string(),
    outcome: z.enum(OUTCOMES),
    status: z.enum(CAMPAIGN_STATUSES),
    dailyBudgetCents: z.number().int().nullable(),
    lifetimeBudgetCents: z.number().int().nullable(),
    startTime: z.string().nullable(),
    endTime: z.string().nullable(),
    bidStrategy: z.record(z.string(), z.unknown()),
    targeting: z.record(z.string(), z.unknown()),
    platformSettings: z.record(z.string(), z.unknown()),
    budgetLevel: z.enum(["campaign", "adset"]).openapi({
      description: "Where the budget lives: on the campaign (its ad sets carry none) or on each ad set.",
    }),
    metadata: z.record(z.string(), z.unknown()).nullable(),
    authority: AuthorityBlockSchema,
    authoritySource: z.enum(["per_campaign", "layer_defaults"]),
    platformCampaignId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Campaign");
