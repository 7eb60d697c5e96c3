/**
 * Owns the layer policy model: one platform's defaults and the customer's controls, and how
 * an allowed change produces the next version. Pure; the layer object is its only writer.
 */
import type { ActorRef, AuthorityBlock, Mode } from "./authority";
import type { DefaultsChange, LayerControls } from "./gate";

export interface LayerPolicy {
  layerId: string;
  platform: string;
  creative: Mode;
  tactical: Mode;
  structural: Mode;
  killSwitchActive: boolean;
  partnerWritesEnabled: boolean;
  partnerDefaultsChangesAllowed: boolean;
  /** Customer-only: whether partners may approve pending actions (default off). */
  partnerApprovalsEnabled: boolean;
  version: number;
  lastModifiedAt: string;
  lastModifiedBy: ActorRef;
}

export function policyDefaults(p: LayerPolicy): AuthorityBlock {
  return { creative: p.creative, tactical: p.tactical, structural: p.structural };
}

export function policyControls(p: LayerPolicy): Required<LayerControls> {
  return {
    killSwitchActive: p.killSwitchActive,
    partnerWritesEnabled: p.partnerWritesEnabled,
    partnerDefaultsChangesAllowed: p.partnerDefaultsChangesAllowed,
    partnerApprovalsEnabled: p.partnerApprovalsEnabled,
  };
}

/** The next version of a policy after an allowed change. */
export function applyDefaultsChange(
  current: LayerPolicy,
  change: DefaultsChange,
  actor: ActorRef,
  now: string,
): LayerPolicy {
  return {
    ...current,
    ...change.defaults,
    killSwitchActive: change.killSwitchActive ?? current.killSwitchActive,
    partnerWritesEnabled: change.partnerWritesEnabled ?? current.partnerWritesEnabled,
    partnerDefaultsChangesAllowed:
      change.partnerDefaultsChangesAllowed ?? current.partnerDefaultsChangesAllowed,
    partnerApprovalsEnabled: change.partnerApprovalsEnabled ?? current.partnerApprovalsEnabled,
    version: current.version + 1,
    lastModifiedAt: now,
    lastModifiedBy: actor,
  };
}

/** The policy as the defaults GET presents it (also the audit event's before/after). */
export function publicForm(p: LayerPolicy) {
  return {
    layerId: p.layerId,
    platform: p.platform,
    defaults: policyDefaults(p),
    killSwitchActive: p.killSwitchActive,
    partnerWritesEnabled: p.partnerWritesEnabled,
    partnerDefaultsChangesAllowed: p.partnerDefaultsChangesAllowed,
    partnerApprovalsEnabled: p.partnerApprovalsEnabled,
    lastModifiedAt: p.lastModifiedAt,
    lastModifiedBy: p.lastModifiedBy,
  };
}
