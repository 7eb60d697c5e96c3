import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { budgetIssues } from "../../domain/campaign-rules";
import { platformRules } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { CampaignParams } from "../schemas";
import { WriteAcceptedSchema } from "./schemas";
import { submitCampaignWrite, WRITE_DESCRIPTION } from "./write";

export const BudgetPatchSchema = z
  .object({
    dailyBudgetCents: z.number().int().positive().optional(),
    lifetimeBudgetCents: z.number().int().positive().optional(),
  })
  .strict()
  .openapi("BudgetPatch", { description: "Exactly one budget field, matching the campaign's budget kind." });

export const updateBudgetRoute = defineRoute(
  {
    scope: "ads:write:budgets",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "updateCampaignBudget",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/budget",
    tags: ["Campaign writes"],
    summary: "Change a campaign's budget (tactical)",
    description: WRITE_DESCRIPTION,
    request: {
      params: CampaignParams,
      body: { required: true, content: { "application/json": { schema: BudgetPatchSchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerUpdateBudget(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateBudgetRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    const issues = budgetIssues(
      params.platform,
      body,
      "",
      platformRules(params.platform, c.env.PLATFORM_BUDGET_CAPS),
    );
    if (issues.length > 0) throw validationError(issues.map((i) => ({ location: "body", ...i })));
    return c.json(await submitCampaignWrite(c, params, "update_budget", body), 202);
  });
}
