/** Approve and reject: the customer's answer to a queued (draft) action. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { findPendingAction } from "../../db/campaigns";
import { findFresh } from "../../db/fresh";
import { isId, newId } from "../../domain/ids";
import type { Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { isDryRun } from "../../http/dry-run";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { campaignObject } from "../../objects/campaign";
import { noteVerdict } from "../../observability/request-log";
import { requestMeta, requireLayer, requireProject, unwrap } from "../lookups";
import { DecisionResultSchema, PendingParams } from "./schemas";

const PENDING_PATH = "/v1/projects/{projectId}/ads/{platform}/pending/{pendingId}";
const ApproveSchema = z
  .object({ comment: z.string().max(2000).optional() })
  .strict()
  .openapi("PendingApproval");
const RejectSchema = z
  .object({ reason: z.string().min(1).max(2000) })
  .strict()
  .openapi("PendingRejection");

const decisionRoute = <const P extends string, S extends z.ZodType>(
  path: P,
  operationId: string,
  summary: string,
  body: S,
  required: boolean,
) =>
  defineRoute(
    {
      scope: "ads:write:pending",
      endpointClass: "write",
      errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
      dryRun: true,
    },
    {
      method: "post",
      operationId,
      path,
      tags: ["Pending actions"],
      summary,
      description:
        "The customer's decision: a `user` key, or a partner key while the customer enabled `partnerApprovalsEnabled` on the layer, and never on an action that key requested. An approval is judged by the gate as it stands now (kill switch, partner writes off for a partner, the axis now `off` → 403 AUTHORITY_DENIED with a verdict; the action stays pending).",
      request: {
        params: PendingParams,
        body: { required, content: { "application/json": { schema: body } } },
      },
      responses: {
        200: { description: "Decided.", content: { "application/json": { schema: DecisionResultSchema } } },
      },
    },
  );

export const approvePendingRoute = decisionRoute(
  `${PENDING_PATH}/approve`,
  "approvePendingAction",
  "Approve a pending action: it is dispatched now, through the queue",
  ApproveSchema,
  false,
);
export const rejectPendingRoute = decisionRoute(
  `${PENDING_PATH}/reject`,
  "rejectPendingAction",
  "Reject a pending action: its job is canceled",
  RejectSchema,
  true,
);

async function decide(
  c: Context<AppEnv>,
  params: { projectId: string; platform: Platform; pendingId: string },
  decision: "approve" | "reject",
  note: string | null,
) {
  const caller = c.get("caller");
  if (!isId("pendingAction", params.pendingId)) throw notFound("Pending action");
  const project = await requireProject(c.env.DB, caller, params.projectId);
  const pending = await findFresh(params.pendingId, () =>
    findPendingAction(c.env.DB, project.id, params.platform, params.pendingId),
  );
  if (!pending) throw notFound("Pending action");
  const { snapshot: layer } = await requireLayer(c.env, project.layerId, params.platform);
  const { ok: _ok, ...result } = unwrap(
    await campaignObject(c.env, pending.campaignId).decidePending({
      scope: { organizationId: caller.organizationId, projectId: project.id, platform: params.platform },
      pendingId: params.pendingId,
      decision,
      note,
      layer,
      verdictId: newId("verdict"),
      meta: requestMeta(caller, c.get("requestId")),
      dryRun: isDryRun(c),
    }),
  );
  noteVerdict(c, "allow", result.verdictId);
  return result;
}

export function registerDecidePending(app: OpenAPIHono<AppEnv>) {
  app.openapi(approvePendingRoute, async (c) => {
    const body = (await c.req.text()) ? c.req.valid("json") : {};
    return c.json(await decide(c, c.req.valid("param"), "approve", body.comment ?? null), 200);
  });
  app.openapi(rejectPendingRoute, async (c) => {
    const { reason } = c.req.valid("json");
    return c.json(await decide(c, c.req.valid("param"), "reject", reason), 200);
  });
}
