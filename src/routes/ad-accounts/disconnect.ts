import type { OpenAPIHono } from "@hono/zod-openapi";
import { disconnectAdAccount } from "../../connections/disconnect";
import { findAdAccount } from "../../db/tenancy";
import { isId, newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { ApiError, notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { recordAudit } from "../../objects/audit-ledger";
import { requireProject } from "../lookups";
import { AdAccountParams, AdAccountSchema, presentAdAccount } from "./schemas";

export const disconnectAdAccountRoute = defineRoute(
  { scope: "ads:write:connect", endpointClass: "write", errors: ["NOT_FOUND", "AUTHORITY_DENIED"] },
  {
    method: "delete",
    operationId: "disconnectAdAccount",
    path: "/v1/projects/{projectId}/ads/ad-accounts/{adAccountId}",
    tags: ["Ad accounts"],
    summary: "Disconnect an ad account (customer only)",
    description:
      "Revokes the grant at the platform where possible, destroys the stored credentials and marks the account `revoked`. Its campaigns stay readable; writes on them answer 404. Only the customer (a `user` key) may disconnect: a partner gets 403 AUTHORITY_DENIED with a verdict.",
    request: { params: AdAccountParams },
    responses: {
      200: {
        description: "The disconnected account.",
        content: { "application/json": { schema: AdAccountSchema } },
      },
    },
  },
);

export function registerDisconnectAdAccount(app: OpenAPIHono<AppEnv>) {
  app.openapi(disconnectAdAccountRoute, async (c) => {
    const { projectId, adAccountId } = c.req.valid("param");
    const caller = c.get("caller");
    const requestId = c.get("requestId");
    const project = await requireProject(c.env.DB, caller, projectId);
    const row = isId("adAccount", adAccountId)
      ? await findAdAccount(c.env.DB, project.id, adAccountId)
      : null;
    if (!row) throw notFound("Ad account");
    if (caller.actorType !== "user") {
      const verdictId = newId("verdict");
      await recordAudit(c.env, [
        {
          eventType: "verdict",
          requestId,
          organizationId: caller.organizationId,
          projectId: project.id,
          apiKeyId: caller.apiKeyId,
          actorType: caller.actorType,
          verdictId,
          data: {
            action: "disconnect_ad_account",
            adAccountId: row.id,
            decision: "deny",
            reason: "customer_only",
          },
        },
      ]);
      throw new ApiError("AUTHORITY_DENIED", "Only the customer may disconnect an ad account.", {
        verdictId,
        reason: "customer_only",
      });
    }
    await disconnectAdAccount(c.env, row, {
      requestId,
      apiKeyId: caller.apiKeyId,
      actorType: caller.actorType,
    });
    const after = await findAdAccount(c.env.DB, project.id, row.id);
    // The status's single writer committed `revoked`; D1's copy may trail it by a moment.
    return c.json(presentAdAccount({ ...(after ?? row), tokenStatus: "revoked" }), 200);
  });
}
