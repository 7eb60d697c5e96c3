import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AdAccountRow, findAdAccount } from "../../db/tenancy";
import { type AuthorityBlock, authorityFromModes } from "../../domain/authority";
import type { CampaignRecord } from "../../domain/campaign-model";
import { createIssues } from "../../domain/campaign-rules";
import { denialMessage, evaluateCreate } from "../../domain/gate";
import { isId, newId } from "../../domain/ids";
import { defaultTactics, type Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { ApiError, notFound, schemaIssues, validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { recordAudit } from "../../objects/audit-ledger";
import { campaignObject } from "../../objects/campaign";
import { noteVerdict } from "../../observability/request-log";
import { requestMeta, requireLayer, requireProject, unwrap } from "../lookups";
import { PlatformSchema, ProjectPlatformParams } from "../schemas";
import { CreateCampaignAcceptedSchema, type CreateCampaignBody, CreateCampaignBodySchema } from "./schemas";

export const createCampaignRoute = defineRoute(
  { scope: "ads:write:campaigns", endpointClass: "write", errors: ["NOT_FOUND", "AUTHORITY_DENIED"] },
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
      for (const rule of createIssues(platform.data, raw)) {
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

      const issues = createIssues(platform, body);
      if (issues.length > 0) throw validationError(issues.map((i) => ({ location: "body", ...i })));
      const project = await requireProject(c.env.DB, caller, projectId);
      // The account and the layer policy are independent reads: make them side by side.
      const [account, { snapshot: layer }] = await Promise.all([
        isId("adAccount", body.adAccountId) ? findAdAccount(c.env.DB, project.id, body.adAccountId) : null,
        requireLayer(c.env.DB, project.layerId, platform),
      ]);
      if (!account || account.platform !== platform || account.tokenStatus !== "valid") {
        throw new ApiError(
          "NOT_FOUND",
          "Ad account not found in this project for this platform, or not connected.",
        );
      }
      const requested = authorityFromModes(body.campaignManagementMode, body.creativeMode);
      const decision = evaluateCreate({
        actorType: caller.actorType,
        layerDefaults: layer.defaults,
        layer: layer.controls,
        requested,
      });
      const campaignId = newId("campaign");
      const verdictId = newId("verdict");
      const verdictData = {
        action: "create_campaign",
        campaignId,
        decision: decision.decision === "dispatch" ? "allow" : decision.decision,
        axis: decision.axis,
        currentMode: decision.currentMode,
        requestedAuthority: requested,
        layerDefaults: layer.defaults,
        ...(decision.decision === "deny" ? { reason: decision.reason } : {}),
      };

      if (decision.decision === "deny") {
        await recordAudit(c.env, [
          {
            eventType: "verdict",
            requestId,
            organizationId: caller.organizationId,
            projectId: project.id,
            apiKeyId: caller.apiKeyId,
            actorType: caller.actorType,
            verdictId,
            data: verdictData,
          },
        ]);
        const { decision: _decision, ...details } = decision;
        const message =
          decision.reason === "authority_axis_off"
            ? `Layer's structural axis is set to 'off'; campaign-create denied.`
            : `Campaign-create denied: ${denialMessage(decision.reason)}`;
        throw new ApiError("AUTHORITY_DENIED", message, { verdictId, ...details });
      }

      const now = new Date().toISOString();
      const campaign = buildCampaign(body, { campaignId, platform, account, project, now });
      const jobId = newId("job");
      const result = unwrap(
        await campaignObject(c.env, campaignId).create({
          campaign,
          authority: requested,
          decision: decision.decision,
          verdict: { id: verdictId, data: verdictData },
          jobId,
          meta: requestMeta(caller, requestId),
        }),
      );
      noteVerdict(c, decision.decision === "queue" ? "queue" : "allow", verdictId);
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
    dailyBudgetCents: body.dailyBudgetCents ?? null,
    lifetimeBudgetCents: body.lifetimeBudgetCents ?? null,
    startTime: body.startTime ?? ctx.now,
    endTime: body.endTime ?? null,
    bidStrategy: { ...defaults.bidStrategy, ...body.bidStrategy },
    targeting: { ...defaults.targeting, ...body.targeting },
    platformSettings: defaults.platformSettings,
    metadata: body.metadata === undefined ? null : JSON.stringify(body.metadata),
    platformCampaignId: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}
