/** Lookups every project-scoped route starts with; anything not the caller's is "not found". */

import { findLayerPolicy, findProject, policyControls, policyDefaults } from "../db/tenancy";
import { isId } from "../domain/ids";
import type { Platform } from "../domain/platform-rules";
import type { Caller } from "../http/context";
import { ApiError, notFound } from "../http/errors";
import type { CampaignScope, Failure, LayerSnapshot, RequestMeta } from "../objects/campaign";

export async function requireProject(db: D1Database, caller: Caller, projectId: string) {
  if (!isId("project", projectId)) throw notFound("Project");
  const project = await findProject(db, caller.organizationId, projectId);
  if (!project) throw notFound("Project");
  return project;
}

export async function requireLayer(db: D1Database, layerId: string, platform: Platform) {
  const policy = await findLayerPolicy(db, layerId, platform);
  if (!policy) throw notFound("Ads layer for this platform");
  const snapshot: LayerSnapshot = {
    defaults: policyDefaults(policy),
    controls: policyControls(policy),
    version: policy.version,
  };
  return { policy, snapshot };
}

/** The project, the platform's layer policy, and the scope a campaign must be in. */
export async function requireCampaignContext(
  db: D1Database,
  caller: Caller,
  params: { projectId: string; platform: Platform; campaignId: string },
) {
  if (!isId("campaign", params.campaignId)) throw notFound("Campaign");
  const project = await requireProject(db, caller, params.projectId);
  const { snapshot } = await requireLayer(db, project.layerId, params.platform);
  const scope: CampaignScope = {
    organizationId: caller.organizationId,
    projectId: project.id,
    platform: params.platform,
  };
  return { project, layer: snapshot, scope };
}

export function actorOf(caller: Caller): RequestMeta["actor"] {
  return {
    actorType: caller.actorType,
    actorOrganizationId: caller.organizationId,
    actorApiKeyId: caller.apiKeyId,
  };
}

export function requestMeta(caller: Caller, requestId: string): RequestMeta {
  return { actor: actorOf(caller), requestId, sandbox: caller.env === "test" };
}

/** Turns a campaign object's failure into the API error it stands for. */
export function unwrap<T>(result: ({ ok: true } & T) | Failure): { ok: true } & T {
  if (!result.ok) throw new ApiError(result.code, result.message, result.details);
  return result;
}
