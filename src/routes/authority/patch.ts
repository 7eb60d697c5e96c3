import type { OpenAPIHono } from "@hono/zod-openapi";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { isDryRun } from "../../http/dry-run";
import { defineRoute } from "../../http/route";
import { stage } from "../../http/timing";
import { campaignObject } from "../../objects/campaign";
import { noteVerdict } from "../../observability/request-log";
import { requestMeta, requireCampaignContext, unwrap } from "../lookups";
import { CampaignParams } from "../schemas";
import { AuthorityPatchResultSchema, AuthorityPatchSchema, IfMatchHeader } from "./schemas";

export const patchAuthorityRoute = defineRoute(
  {
    scope: "ads:write:policy",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED", "PRECONDITION_FAILED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "patchCampaignAuthority",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/authority",
    tags: ["Authority"],
    summary: "Change a campaign's authority block",
    description:
      "A partial update of the effective block, which becomes pinned. A partner may only set an axis to a mode at or below the customer's layer default for that axis (lowering is always allowed); a customer (`user` actor) may set anything. Concurrent PATCHes are applied one at a time; each gets its own verdict.",
    request: {
      params: CampaignParams,
      headers: IfMatchHeader,
      body: { required: true, content: { "application/json": { schema: AuthorityPatchSchema } } },
    },
    responses: {
      200: {
        description: "The new block and the verdict that allowed it.",
        content: { "application/json": { schema: AuthorityPatchResultSchema } },
      },
    },
  },
);

export function registerPatchAuthority(app: OpenAPIHono<AppEnv>) {
  app.openapi(patchAuthorityRoute, async (c) => {
    const params = c.req.valid("param");
    const { authority } = c.req.valid("json");
    const caller = c.get("caller");
    const { layer, scope } = await stage(c, "lookups", () => requireCampaignContext(c.env, caller, params));
    const result = unwrap(
      // Awaited inside: the stub answers a union (the patch, or a dry run) that `stage` keeps whole.
      await stage(
        c,
        "object",
        async () =>
          await campaignObject(c.env, params.campaignId).patchAuthority({
            scope,
            requested: authority,
            // An empty If-Match names no tag: treated as absent, as on the defaults.
            ifMatch: c.req.header("If-Match") || null,
            layer,
            verdictId: newId("verdict"),
            meta: requestMeta(caller, c.get("requestId")),
            dryRun: isDryRun(c),
          }),
      ),
    );
    noteVerdict(c, "allow", result.verdictId);
    c.header("ETag", result.etag);
    return c.json(
      { campaignId: result.campaignId, authority: result.authority, verdictId: result.verdictId },
      200,
    );
  });
}
