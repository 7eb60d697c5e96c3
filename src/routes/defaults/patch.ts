import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { policyControls, policyDefaults, updateLayerPolicy } from "../../db/tenancy";
import { ifMatchHolds } from "../../domain/etags";
import { denialMessage, evaluateDefaultsChange } from "../../domain/gate";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { ApiError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { recordAudit } from "../../objects/audit-ledger";
import { noteVerdict } from "../../observability/request-log";
import { IfMatchHeader } from "../authority/schemas";
import { actorOf, requireLayer, requireProject } from "../lookups";
import { ProjectPlatformParams } from "../schemas";
import { defaultsETag, LayerDefaultsPatchSchema, LayerDefaultsSchema, presentDefaults } from "./schemas";

/** Concurrent writers retry their compare-and-set this many times before answering 409. */
const MAX_CAS_ATTEMPTS = 8;

export const patchDefaultsRoute = defineRoute(
  {
    scope: "ads:write:policy",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED", "PRECONDITION_FAILED"],
  },
  {
    method: "patch",
    operationId: "patchLayerDefaults",
    path: "/v1/projects/{projectId}/ads/{platform}/defaults",
    tags: ["Authority"],
    summary: "Change the layer defaults or the customer's switches",
    description:
      "Only the customer (`user` actor) may trip or release the kill switch, toggle partner writes or toggle partner defaults changes. A partner may lower defaults, and only where the customer allows partner defaults changes and the kill switch is off.",
    request: {
      params: ProjectPlatformParams,
      headers: IfMatchHeader,
      body: { required: true, content: { "application/json": { schema: LayerDefaultsPatchSchema } } },
    },
    responses: {
      200: {
        description: "The new block and the verdict that allowed it.",
        content: { "application/json": { schema: LayerDefaultsSchema.extend({ verdictId: z.string() }) } },
      },
    },
  },
);

export function registerPatchDefaults(app: OpenAPIHono<AppEnv>) {
  app.openapi(patchDefaultsRoute, async (c) => {
    const { projectId, platform } = c.req.valid("param");
    const change = c.req.valid("json");
    const caller = c.get("caller");
    const project = await requireProject(c.env.DB, caller, projectId);
    const verdictId = newId("verdict");
    const audit = (eventType: string, data: Record<string, unknown>) => ({
      eventType,
      requestId: c.get("requestId"),
      organizationId: caller.organizationId,
      projectId: project.id,
      apiKeyId: caller.apiKeyId,
      actorType: caller.actorType,
      verdictId,
      data: { action: "update_defaults", platform, layerId: project.layerId, ...data },
    });

    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const { policy } = await requireLayer(c.env.DB, project.layerId, platform);
      const ifMatch = c.req.header("If-Match");
      if (ifMatch && !ifMatchHolds(ifMatch, defaultsETag(policy))) {
        throw new ApiError(
          "PRECONDITION_FAILED",
          "The layer defaults changed since you read them (If-Match is stale).",
          {
            currentETag: defaultsETag(policy),
          },
        );
      }
      const current = policyDefaults(policy);
      const decision = evaluateDefaultsChange({
        actorType: caller.actorType,
        change,
        current,
        layer: policyControls(policy),
      });
      if (decision.decision === "deny") {
        const { decision: _d, ...details } = decision;
        await recordAudit(c.env, [
          audit("verdict", { decision: "deny", requested: change, current, ...details }),
        ]);
        throw new ApiError(
          "AUTHORITY_DENIED",
          `Layer defaults change denied: ${denialMessage(decision.reason)}`,
          {
            verdictId,
            ...details,
          },
        );
      }
      const next = {
        ...current,
        ...change.defaults,
        killSwitchActive: change.killSwitchActive ?? policy.killSwitchActive,
        partnerWritesEnabled: change.partnerWritesEnabled ?? policy.partnerWritesEnabled,
        partnerDefaultsChangesAllowed:
          change.partnerDefaultsChangesAllowed ?? policy.partnerDefaultsChangesAllowed,
        lastModifiedAt: new Date().toISOString(),
        lastModifiedBy: actorOf(caller),
      };
      if (!(await updateLayerPolicy(c.env.DB, policy, next))) continue;
      const updated = { ...policy, ...next, version: policy.version + 1 };
      const presented = presentDefaults(updated);
      await recordAudit(c.env, [
        audit("verdict", { decision: "allow", requested: change }),
        audit("defaults.changed", {
          previous: presentDefaults(policy),
          next: presented,
          version: updated.version,
        }),
      ]);
      noteVerdict(c, "allow", verdictId);
      c.header("ETag", defaultsETag(updated));
      return c.json({ ...presented, verdictId }, 200);
    }
    throw new ApiError(
      "CONFLICT",
      "The layer defaults are being changed concurrently; retry.",
      {},
      { headers: { "Retry-After": "1" } },
    );
  });
}
