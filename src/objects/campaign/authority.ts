/**
 * Owns a campaign's authority block: the effective view (pinned or inherited, with its ETag)
 * and the authority PATCH, judged against the partner's ceiling (what the customer set on
 * this campaign, else the layer default).
 */
import type { AuthorityBlock } from "../../domain/authority";
import type { CampaignRecord } from "../../domain/campaign-model";
import { type DryRunDecision, dryRunOf } from "../../domain/dry-run";
import { ifMatchHolds } from "../../domain/etags";
import { denialMessage, evaluateAuthorityChange, partnerCeiling } from "../../domain/gate";
import {
  type AuthorityView,
  type CampaignScope,
  deleted,
  fail,
  type LayerSnapshot,
  notFound,
  type RequestMeta,
  type Result,
} from "./contract";
import { actorEvent } from "./events";
import { deleteInFlight } from "./pipeline";
import type { CampaignHost, CampaignState } from "./state";

export interface AuthorityPatch {
  scope: CampaignScope;
  requested: Partial<AuthorityBlock>;
  ifMatch: string | null;
  layer: LayerSnapshot;
  verdictId: string;
  meta: RequestMeta;
  /** Validate and judge only: answer the decision, change and record nothing. */
  dryRun?: boolean;
}

type Patched = { campaignId: string; authority: AuthorityBlock; verdictId: string; etag: string };

export function authorityView(
  state: CampaignState,
  campaign: CampaignRecord,
  layer: LayerSnapshot,
): AuthorityView;
export function authorityView(
  state: CampaignState,
  campaign: CampaignRecord,
  layer: LayerSnapshot | null,
): AuthorityView | null;
export function authorityView(
  state: CampaignState,
  campaign: CampaignRecord,
  layer: LayerSnapshot | null,
): AuthorityView | null {
  const authority = state.authority;
  if (!authority) return null;
  const base = {
    campaignId: campaign.id,
    platform: campaign.platform,
    lastModifiedAt: authority.lastModifiedAt,
    lastModifiedBy: authority.lastModifiedBy,
  };
  if (authority.block) {
    return { ...base, authority: authority.block, source: "per_campaign", etag: `"a${authority.version}"` };
  }
  if (!layer) return null;
  return {
    ...base,
    authority: layer.defaults,
    source: "layer_defaults",
    etag: `"a${authority.version}.l${layer.version}"`,
  };
}

export async function patchAuthority(
  host: CampaignHost,
  input: AuthorityPatch,
): Promise<Result<Patched | { dryRun: DryRunDecision }>> {
  const { state } = host;
  const campaign = state.inScope(input.scope);
  const stored = state.authority;
  if (!campaign || !stored) return notFound();
  if (campaign.status === "deleted" || deleteInFlight(state)) return deleted();
  const current = authorityView(state, campaign, input.layer);
  if (input.ifMatch !== null && !ifMatchHolds(input.ifMatch, current.etag)) {
    return fail("PRECONDITION_FAILED", "The authority block changed since you read it (If-Match is stale).", {
      currentETag: current.etag,
    });
  }
  const customerModes = stored.customerModes ?? {};
  const ceiling = partnerCeiling(customerModes, input.layer.defaults);
  const decision = evaluateAuthorityChange({
    actorType: input.meta.actor.actorType,
    requested: input.requested,
    ceiling,
    layer: input.layer.controls,
  });
  if (input.dryRun) {
    return { ok: true, dryRun: dryRunOf(decision, { modeOf: (axis) => current.authority[axis] }) };
  }
  const now = new Date().toISOString();
  const verdictData = {
    action: "update_authority",
    campaignId: campaign.id,
    decision: decision.decision === "allow" ? "allow" : "deny",
    requestedAuthority: input.requested,
    currentAuthority: current.authority,
    ceiling,
    ...(decision.decision === "deny" ? { reason: decision.reason, axis: decision.axis } : {}),
  };
  const verdict = actorEvent(campaign, input.meta, "verdict", verdictData, input.verdictId, now);
  if (decision.decision === "deny") {
    await host.commit({ audit: [verdict] });
    const { decision: _d, ...details } = decision;
    return fail("AUTHORITY_DENIED", denialMessage(decision.reason), {
      verdictId: input.verdictId,
      ...details,
    });
  }
  const next: AuthorityBlock = { ...current.authority, ...input.requested };
  const byCustomer = input.meta.actor.actorType === "user";
  state.authority = {
    block: next,
    customerModes: byCustomer ? { ...customerModes, ...input.requested } : customerModes,
    version: stored.version + 1,
    lastModifiedAt: now,
    lastModifiedBy: input.meta.actor,
  };
  campaign.updatedAt = now;
  const changed = actorEvent(
    campaign,
    input.meta,
    "authority.changed",
    {
      campaignId: campaign.id,
      previous: current.authority,
      previousSource: current.source,
      next,
      version: state.authority.version,
    },
    input.verdictId,
    now,
  );
  await host.commit({ campaign: true, authority: true, audit: [verdict, changed] });
  return {
    ok: true,
    campaignId: campaign.id,
    authority: next,
    verdictId: input.verdictId,
    etag: authorityView(state, campaign, input.layer).etag,
  };
}
