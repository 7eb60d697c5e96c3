/** Lookups every project-scoped route starts with; anything not the caller's is "not found". */

import { type AdAccountRow, findProject } from "../db/tenancy";
import type { DryRunDecision } from "../domain/dry-run";
import { isId } from "../domain/ids";
import { type LayerPolicy, policyControls, policyDefaults } from "../domain/layer-policy";
import type { Platform } from "../domain/platform-rules";
import type { Env } from "../env";
import type { Caller } from "../http/context";
import { DryRunAnswer } from "../http/dry-run";
import { ApiError, notFound } from "../http/errors";
import type { CampaignScope, Failure, LayerRef, LayerSnapshot, RequestMeta } from "../objects/campaign";
import { layerPolicyObject } from "../objects/layer-policy";

type Project = NonNullable<Awaited<ReturnType<typeof findProject>>>;

/** A project's owner and layer never change, so each isolate remembers them once found. */
const knownProjects = new Map<string, Project>();

export async function requireProject(db: D1Database, caller: Caller, projectId: string): Promise<Project> {
  const known = knownProjects.get(projectId);
  if (known) {
    if (known.organizationId !== caller.organizationId) throw notFound("Project");
    return known;
  }
  if (!isId("project", projectId)) throw notFound("Project");
  const project = await findProject(db, caller.organizationId, projectId);
  if (!project) throw notFound("Project");
  if (knownProjects.size > 50_000) knownProjects.clear();
  knownProjects.set(projectId, project);
  return project;
}

/** The platform's layer policy, from its layer object's memory (its single writer). */
export async function requireLayer(env: Env, layerId: string, platform: Platform) {
  const policy = await layerPolicyObject(env, layerId).policy(layerId, platform);
  if (!policy) throw notFound("Ads layer for this platform");
  return { policy, snapshot: snapshotOf(policy) };
}

/** What a create is judged on (the layer policy and the ad account), in one object call. */
export async function requireCreateContext(
  env: Env,
  project: Project,
  platform: Platform,
  adAccountId: string,
): Promise<{ layer: LayerSnapshot; account: AdAccountRow | null }> {
  const answer: unknown = await layerPolicyObject(env, project.layerId).writeContext(
    project.layerId,
    platform,
    project.id,
    isId("adAccount", adAccountId) ? adAccountId : null,
  );
  // RPC types cannot express the `unknown` inside an account's settings; structured clone keeps it.
  const { policy, account } = answer as { policy: LayerPolicy | null; account: AdAccountRow | null };
  if (!policy) throw notFound("Ads layer for this platform");
  return { layer: snapshotOf(policy), account };
}

function snapshotOf(policy: LayerPolicy): LayerSnapshot {
  return { defaults: policyDefaults(policy), controls: policyControls(policy), version: policy.version };
}

/** The project and the scope a campaign must be in. */
export async function requireCampaignScope(
  db: D1Database,
  caller: Caller,
  params: { projectId: string; platform: Platform; campaignId: string },
) {
  if (!isId("campaign", params.campaignId)) throw notFound("Campaign");
  const project = await requireProject(db, caller, params.projectId);
  const scope: CampaignScope = {
    organizationId: caller.organizationId,
    projectId: project.id,
    platform: params.platform,
  };
  return { project, scope };
}

/**
 * The project, a reference to its layer and the scope. The campaign object judges the write
 * from its own copy of the policy, which the layer object pushes before any change answers
 * (so the kill switch acts at once): no layer call on the write's path.
 */
export async function requireCampaignContext(
  env: Env,
  caller: Caller,
  params: { projectId: string; platform: Platform; campaignId: string },
) {
  const { project, scope } = await requireCampaignScope(env.DB, caller, params);
  // The campaign object judges from its copy of the layer policy and the lapsed ad accounts.
  const layer: LayerRef = { layerId: project.layerId };
  return { project, layer, scope };
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

/**
 * Turns an object's failure into the API error it stands for, and a dry run's decision into
 * its 200 answer (`http/dry-run.ts`); what is left is the real call's success.
 */
export function unwrap<R extends { ok: true } | Failure>(
  result: R,
): Exclude<Extract<R, { ok: true }>, { dryRun: DryRunDecision }> {
  if (!result.ok) throw new ApiError(result.code, result.message, result.details);
  if ("dryRun" in result) throw new DryRunAnswer(result.dryRun as DryRunDecision);
  return result as Exclude<Extract<R, { ok: true }>, { dryRun: DryRunDecision }>;
}
