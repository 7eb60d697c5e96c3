import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { isDryRun } from "../../http/dry-run";
import { defineRoute } from "../../http/route";
import { layerPolicyObject } from "../../objects/layer-policy";
import { noteVerdict } from "../../observability/request-log";
import { IfMatchHeader } from "../authority/schemas";
import { actorOf, requireProject, unwrap } from "../lookups";
import { ProjectPlatformParams } from "../schemas";
import { defaultsETag, LayerDefaultsPatchSchema, LayerDefaultsSchema, presentDefaults } from "./schemas";

export const patchDefaultsRoute = defineRoute(
  {
    scope: "ads:write:policy",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED", "PRECONDITION_FAILED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "patchLayerDefaults",
    path: "/v1/projects/{projectId}/ads/{platform}/defaults",
    tags: ["Authority"],
    summary: "Change the layer defaults or the customer's switches",
    description:
      "Only the customer (`user` actor) may trip or release the kill switch, toggle partner writes, partner defaults changes or partner approvals. A partner may lower defaults, and only where the customer allows partner defaults changes and the kill switch is off. Changes to one layer are applied one at a time by its single writer; each gets its own verdict.",
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
    const caller = c.get("caller");
    const project = await requireProject(c.env.DB, caller, projectId);
    const verdictId = newId("verdict");
    // The layer object judges, commits the change with its audit events, and delivers both.
    const { policy } = unwrap(
      await layerPolicyObject(c.env, project.layerId).changeDefaults({
        layerId: project.layerId,
        platform,
        organizationId: caller.organizationId,
        projectId: project.id,
        change: c.req.valid("json"),
        // An empty If-Match names no tag: treated as absent.
        ifMatch: c.req.header("If-Match") || null,
        verdictId,
        requestId: c.get("requestId"),
        actor: { ...actorOf(caller), actorType: caller.actorType },
        dryRun: isDryRun(c),
      }),
    );
    noteVerdict(c, "allow", verdictId);
    c.header("ETag", defaultsETag(policy));
    return c.json({ ...presentDefaults(policy), verdictId }, 200);
  });
}
