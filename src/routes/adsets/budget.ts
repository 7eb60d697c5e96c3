/** Owns `PATCH …/adsets/:adsetId/budget`: a tactical ad set write, where the budget lives at ad set level. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { budgetIssues } from "../../domain/campaign-rules";
import { platformRules } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { BudgetPatchSchema } from "../campaigns/budget";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import { AdsetParams } from "./schemas";
import { ADSET_WRITE_DESCRIPTION, submitAdsetWrite } from "./write";

export const updateAdsetBudgetRoute = defineRoute(
  {
    scope: "ads:write:budgets",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "updateAdsetBudget",
    path: "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}/budget",
    tags: ["Ad set writes"],
    summary: "Change an ad set's budget (tactical)",
    description: `${ADSET_WRITE_DESCRIPTION} A campaign whose budget lives at campaign level (\`budgetLevel: "campaign"\`) answers 422 before anything is dispatched; Apple ad groups have no budget.`,
    request: {
      params: AdsetParams,
      body: { required: true, content: { "application/json": { schema: BudgetPatchSchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerUpdateAdsetBudget(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateAdsetBudgetRoute, async (c) => {
    const params = c.req.valid("param");
    const body = c.req.valid("json");
    const rules = platformRules(params.platform, c.env.PLATFORM_BUDGET_CAPS);
    const issues = budgetIssues(params.platform, body, "", rules);
    if (issues.length > 0) throw validationError(issues.map((i) => ({ location: "body", ...i })));
    return c.json(await submitAdsetWrite(c, params, "update_budget", body), 202);
  });
}
