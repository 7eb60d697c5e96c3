import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AdAccountRow } from "../../db/tenancy";
import { defaultAdset, promotedObjectFor } from "../../domain/adset-defaults";
import { type AuthorityBlock, authorityFromModes } from "../../domain/authority";
import type { CampaignRecord } from "../../domain/campaign-model";
import { createIssues } from "../../domain/campaign-rules";
import { newId } from "../../domain/ids";
import { defaultTactics, type Platform, platformRules } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { DryRunAnswer, isDryRun } from "../../http/dry-run";
import { ApiError, notFound, schemaIssues, validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { stage } from "../../http/timing";
import { campaignObject } from "../../objects/campaign";
import { dryRunCreate } from "../../objects/campaign/pipeline";
import { noteVerdict } from "../../observability/request-log";
import { requestMeta, requireCreateContext, requireProject, unwrap } from "../lookups";
import { PlatformSchema, ProjectPlatformParams } from "../schemas";
import { CreateCampaignAcceptedSchema, type CreateCampaignBody, CreateCampaignBodySchema } from "./schemas";

export const createCampaignRoute = defineRoute(
  {
    scope: "ads:write:campaigns",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "post",
    operationId: "createCampaign",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns",
    tags: ["Campaigns"],
    summary: "Create a campaign",
    description:
      "The customer picks budget, outcome, management mode and creative mode; every tactical detail left out defaults to the platform's best practice. A structural write judged against the layer defaults: `auto` dispatches, `draft` queues a pending action, `off` denies.",
    request: {
      params: ProjectPlatformParams,
      body: { required: true, content: { "application/json": { schema: CreateCampaignBodySchema } } },
    },
    responses: {
      202: {
        description: "Create-campaign workflow accepted.",
        content: { "application/json": { schema: CreateCampaignAcceptedSchema } },
      },
    },
  },
);

/** Validation that lists the schema's issues and the platform's rules together. */
function createValidationHook(
  result: { success: true } | { success: false; error: { issues: Parameters<typeof schemaIssues>[0] } },
  c: Context<AppEnv>,
) {
  if (result.success) return;
  const platform = PlatformSchema.safeParse(c.req.param("platform"));
  // An unknown platform names nothing that exists, whatever the body holds.
  if (!platform.success) throw notFound();
  // An empty body reaches here as {} and has no JSON to re-read.
  return c.req
    .json()
    .catch(() => ({}))
    .then((raw: unknown) => {
      const issues = schemaIssues(result.error.issues, "body");
      for (const rule of createIssues(
        platform.data,
        raw,
        Date.now(),
        platformRules(platform.data, c.env.PLATFORM_BUDGET_CAPS),
      )) {
        if (!issues.some((i) => i.path === rule.path)) issues.push({ location: "body", ...rule });
      }
      throw validationError(issues);
    });
}

export function registerCreateCampaign(app: OpenAPIHono<AppEnv>) {
  app.openapi(
    createCampaignRoute,
    async (c) => {
      const { projectId, platform } = c.req.valid("param");
      const body = c.req.valid("json");
      const caller = c.get("caller");
      const requestId = c.get("requestId");

      // The body as sent: the schema's copy drops keys a plain object cannot hold (`__proto__`),
      // and metadata round-trips verbatim.
      const raw = (await c.req.json()) as Record<string, unknown>;
      const issues = createIssues(
        platform,
        raw,
        Date.now(),
        platformRules(platform, c.env.PLATFORM_BUDGET_CAPS),
      );
      if (issues.length > 0) throw validationError(issues.map((i) => ({ location: "body", ...i })));
      // The project (remembered per isolate), then the layer policy and the account from the
      // layer object's memory in one call.
      const { project, layer, account } = await stage(c, "lookups", async () => {
        const project = await requireProject(c.env.DB, caller, projectId);
        return { project, ...(await requireCreateContext(c.env, project, platform, body.adAccountId)) };
      });
      if (!account || account.platform !== platform || account.tokenStatus !== "valid") {
        throw new ApiError(
          "NOT_FOUND",
          "Ad account not found in this project for this platform, or not connected.",
        );
      }
      // Meta delivers Sales, Leads and App campaigns only with a promoted object: say which
      // connection setting is missing now, rather than fail later on the platform.
      const promoted = promotedObjectFor(platform, body.outcome, account.settings);
      if (!promoted.ok) {
        throw validationError([
          {
            location: "body",
            path: "adAccountId",
            message: `The ad account's connection settings lack ${promoted.missing}, which a ${body.outcome} campaign on ${platform} needs.`,
          },
        ]);
      }
      const requested = authorityFromModes(body.campaignManagementMode, body.creativeMode);
      // Nothing exists yet to ask: the create's gate is pure, judged here as the object would.
      if (isDryRun(c)) throw new DryRunAnswer(dryRunCreate(caller.actorType, layer, requested));
      const campaignId = newId("campaign");
      const verdictId = newId("verdict");
      const now = new Date().toISOString();
      const metadata = raw.metadata === undefined ? null : JSON.stringify(raw.metadata);
      const campaign = buildCampaign(body, { campaignId, platform, account, project, now, metadata });
      const adset = defaultAdset(campaign, newId("adset"), promoted.value);
      if (body.budgetLevel === "adset") {
        // The budget given is the default ad set's: the campaign carries none.
        adset.dailyBudgetCents = body.dailyBudgetCents ?? null;
        adset.lifetimeBudgetCents = body.lifetimeBudgetCents ?? null;
      }
      // The object judges the create against the layer and records its verdict, denied or not.
      const result = unwrap(
        await stage(c, "object", () =>
          campaignObject(c.env, campaignId).create({
            campaign,
            adset,
            authority: requested,
            layer,
            verdictId,
            jobId: newId("job"),
            meta: requestMeta(caller, requestId),
          }),
        ),
      );
      noteVerdict(c, result.accepted.pendingId ? "queue" : "allow", verdictId);
      const location = `/v1/jobs/${result.accepted.jobId}`;
      c.header("Location", location);
      return c.json(
        {
          jobId: result.accepted.jobId,
          campaignId,
          verdictId,
          kind: "ads_create_campaign" as const,
          status: "running" as const,
          platform,
          authority: requested satisfies AuthorityBlock,
          locationUrl: location,
          ...(result.accepted.pendingId ? { pendingId: result.accepted.pendingId } : {}),
        },
        202,
      );
    },
    createValidationHook,
  );
}

function buildCampaign(
  body: CreateCampaignBody,
  ctx: {
    campaignId: string;
    platform: Platform;
    account: AdAccountRow;
    project: { id: string; organizationId: string; layerId: string };
    now: string;
    metadata: string | null;
  },
): CampaignRecord {
  const countries = Array.isArray(ctx.account.settings.defaultCountries)
    ? ctx.account.settings.defaultCountries.filter((c): c is string => typeof c === "string")
    : [];
  const defaults = defaultTactics(ctx.platform, countries);
  return {
    id: ctx.campaignId,
    organizationId: ctx.project.organizationId,
    projectId: ctx.project.id,
    layerId: ctx.project.layerId,
    platform: ctx.platform,
    adAccountId: ctx.account.id,
    name: body.name,
    outcome: body.outcome,
    status: "pending",
    dailyBudgetCents: body.budgetLevel === "adset" ? null : (body.dailyBudgetCents ?? null),
    lifetimeBudgetCents: body.budgetLevel === "adset" ? null : (body.lifetimeBudgetCents ?? null),
    startTime: body.startTime ?? ctx.now,
    endTime: body.endTime ?? null,
    bidStrategy: { ...defaults.bidStrategy, ...body.bidStrategy },
    targeting: { ...defaults.targeting, ...body.targeting },
    platformSettings: defaults.platformSettings,
    metadata: ctx.metadata,
    platformCampaignId: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}
