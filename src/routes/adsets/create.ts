/** Owns `POST …/campaigns/:campaignId/adsets`: another ad set under a campaign (structural). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { budgetIssues } from "../../domain/campaign-rules";
import { newId } from "../../domain/ids";
import { platformRules } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { BidStrategySchema, WriteAcceptedSchema } from "../campaigns/schemas";
import { submitCampaignWrite, WRITE_DESCRIPTION } from "../campaigns/write";
import { CampaignParams } from "../schemas";
import { ScheduleFieldsSchema } from "./schedule";
import { TargetingFieldsSchema } from "./targeting";

export const CreateAdsetBodySchema = z
  .object({
    name: z.string().min(1).max(128).openapi({ example: "Q3 prospecting — women 25–44" }),
    optimizationGoal: z.string().min(1).max(64).optional().openapi({
      description:
        "Instead of the outcome's default. Meta: OFFSITE_CONVERSIONS, LINK_CLICKS, LANDING_PAGE_VIEWS, APP_INSTALLS, POST_ENGAGEMENT, LEAD_GENERATION, REACH, IMPRESSIONS (billed on impressions); TikTok: CLICK (CPC), CONVERT, INSTALL, LEAD_GENERATION, FOLLOWERS (OCPM), REACH, SHOW (CPM); Apple: TAPS.",
    }),
    targeting: TargetingFieldsSchema.optional().openapi({
      description: "Overrides of the campaign's targeting (each platform's limits as on PATCH …/targeting).",
    }),
    schedule: ScheduleFieldsSchema.optional().openapi({
      description: "Defaults: starts now (or at the campaign's later start), ends with the campaign.",
    }),
    bidStrategy: BidStrategySchema.optional().openapi({
      description:
        "Meta with ad set budgets and TikTok: the ad set's own. Meta with an Advantage campaign budget and Apple keep the strategy on the campaign: only its amount may differ (Apple: `bidAmountCents` is the ad group's default bid).",
    }),
    dailyBudgetCents: z.number().int().positive().optional(),
    lifetimeBudgetCents: z.number().int().positive().optional(),
  })
  .strict()
  .openapi("CreateAdsetRequest", {
    description:
      "A budget only when the campaign's budget lives on its ad sets (`budgetLevel: adset`), and then exactly one; otherwise 422.",
  });

export const CreateAdsetAcceptedSchema = WriteAcceptedSchema.extend({
  adsetId: z.string().openapi({ description: "The new ad set, readable now (status `pending`)." }),
}).openapi("CreateAdsetAccepted");

export const createAdsetRoute = defineRoute(
  {
    scope: "ads:write:campaigns",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "post",
    operationId: "createAdset",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/adsets",
    tags: ["Ad set writes"],
    summary: "Create another ad set under a campaign (structural)",
    description: `${WRITE_DESCRIPTION} actionType \`create_adset\` (entityType \`adset\`). The ad set gets its \`adg_…\` id now and is readable at once with status \`pending\` until the platform confirms it (\`active\`; \`failed\` or \`rejected\` when its create failed or was rejected); the job's \`result\` carries \`platformAdsetId\`. It starts from the campaign's defaults (the default ad set's goal, billing event, bid, targeting and promoted object). A retried create never makes a second ad set on the platform: TikTok by \`request_id\`, Meta by a \`[lp:…]\` tag on the ad set's name, Apple by its name (unique within an Apple campaign: a second one by the same name answers 409). An unknown or not yet created campaign answers 404 / 409.`,
    request: {
      params: CampaignParams,
      body: { required: true, content: { "application/json": { schema: CreateAdsetBodySchema } } },
    },
    responses: {
      202: {
        description: "Accepted.",
        content: { "application/json": { schema: CreateAdsetAcceptedSchema } },
      },
    },
  },
);

export function registerCreateAdset(app: OpenAPIHono<AppEnv>) {
  app.openapi(createAdsetRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.dailyBudgetCents !== undefined || body.lifetimeBudgetCents !== undefined) {
      const rules = platformRules(params.platform, c.env.PLATFORM_BUDGET_CAPS);
      const issues = budgetIssues(params.platform, body, "", rules);
      if (issues.length > 0) throw validationError(issues.map((i) => ({ location: "body", ...i })));
    }
    const adsetId = newId("adset");
    const accepted = await submitCampaignWrite(c, params, "create_adset", { adsetId, ...body });
    return c.json({ ...accepted, adsetId }, 202);
  });
}
