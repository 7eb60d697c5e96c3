/**
 * The authority gate (SPEC §3) as pure functions: every write and every policy change is
 * judged here, and nowhere else.
 */
import { type ActorType, type AuthorityBlock, AXES, type Axis, compareModes, type Mode } from "./authority";

/** The customer's layer-level controls for one platform. */
export interface LayerControls {
  killSwitchActive: boolean;
  partnerWritesEnabled: boolean;
  partnerDefaultsChangesAllowed: boolean;
  /** Partner keys with `ads:write:pending` may approve or reject (never their own requests). */
  partnerApprovalsEnabled: boolean;
}

export const DENY_REASONS = [
  "kill_switch_active",
  "partner_writes_disabled",
  "authority_axis_off",
  "exceeds_customer_policy",
  "partner_defaults_locked",
  "user_only_control",
  "partner_approvals_disabled",
  "own_request",
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];

export type WriteDecision =
  | { decision: "dispatch"; axis: Axis; currentMode: Mode }
  | { decision: "queue"; axis: Axis; currentMode: Mode }
  | { decision: "deny"; axis: Axis; currentMode: Mode; reason: DenyReason };

/** A gated write against an authority block: kill switch, partner consent, then the axis. */
export function evaluateWrite(input: {
  actorType: ActorType;
  axis: Axis;
  authority: AuthorityBlock;
  layer: LayerControls;
}): WriteDecision {
  const currentMode = input.authority[input.axis];
  const base = { axis: input.axis, currentMode };
  if (input.layer.killSwitchActive) return { ...base, decision: "deny", reason: "kill_switch_active" };
  if (input.actorType === "partner" && !input.layer.partnerWritesEnabled) {
    return { ...base, decision: "deny", reason: "partner_writes_disabled" };
  }
  if (currentMode === "off") return { ...base, decision: "deny", reason: "authority_axis_off" };
  return { ...base, decision: currentMode === "draft" ? "queue" : "dispatch" };
}

export interface CeilingBreach {
  axis: Axis;
  requestedMode: Mode;
  ceilingMode: Mode;
}

/** The first axis where a requested block is above the ceiling, if any. */
export function findCeilingBreach(
  requested: Partial<AuthorityBlock>,
  ceiling: AuthorityBlock,
): CeilingBreach | null {
  for (const axis of AXES) {
    const requestedMode = requested[axis];
    if (requestedMode !== undefined && compareModes(requestedMode, ceiling[axis]) > 0) {
      return { axis, requestedMode, ceilingMode: ceiling[axis] };
    }
  }
  return null;
}

export type CreateDecision =
  | WriteDecision
  | ({ decision: "deny"; reason: "exceeds_customer_policy"; currentMode: Mode } & CeilingBreach);

/**
 * Create is a structural write judged against the layer defaults; a partner may not ask for
 * an authority block above those defaults on any axis.
 */
export function evaluateCreate(input: {
  actorType: ActorType;
  layerDefaults: AuthorityBlock;
  layer: LayerControls;
  requested: AuthorityBlock;
}): CreateDecision {
  const write = evaluateWrite({
    actorType: input.actorType,
    axis: "structural",
    authority: input.layerDefaults,
    layer: input.layer,
  });
  if (write.decision === "deny" || input.actorType === "user") return write;
  const breach = findCeilingBreach(input.requested, input.layerDefaults);
  if (breach) {
    return {
      decision: "deny",
      reason: "exceeds_customer_policy",
      currentMode: input.layerDefaults[breach.axis],
      ...breach,
    };
  }
  return write;
}

export type PolicyDecision =
  | { decision: "allow" }
  | {
      decision: "deny";
      reason: DenyReason;
      axis?: Axis;
      requestedMode?: Mode;
      ceilingMode?: Mode;
      currentMode?: Mode;
    };

/**
 * The partner's ceiling on a campaign: per axis, the mode the customer last set on that
 * campaign, else the layer default.
 */
export function partnerCeiling(
  customerModes: Partial<AuthorityBlock>,
  layerDefaults: AuthorityBlock,
): AuthorityBlock {
  return {
    creative: customerModes.creative ?? layerDefaults.creative,
    tactical: customerModes.tactical ?? layerDefaults.tactical,
    structural: customerModes.structural ?? layerDefaults.structural,
  };
}

/**
 * A campaign authority change. Users may set anything. Partners are held to their ceiling
 * (`partnerCeiling`; lowering is always within it) and are stopped by the kill switch and
 * by the customer turning partner writes off.
 */
export function evaluateAuthorityChange(input: {
  actorType: ActorType;
  requested: Partial<AuthorityBlock>;
  ceiling: AuthorityBlock;
  layer: LayerControls;
}): PolicyDecision {
  if (input.actorType === "user") return { decision: "allow" };
  if (input.layer.killSwitchActive) return { decision: "deny", reason: "kill_switch_active" };
  if (!input.layer.partnerWritesEnabled) return { decision: "deny", reason: "partner_writes_disabled" };
  const breach = findCeilingBreach(input.requested, input.ceiling);
  if (breach) return { decision: "deny", reason: "exceeds_customer_policy", ...breach };
  return { decision: "allow" };
}

export type ApprovalDecision =
  | { decision: "allow"; axis: Axis; currentMode: Mode | null }
  | { decision: "deny"; axis: Axis; currentMode: Mode | null; reason: DenyReason };

/**
 * Approving or rejecting a pending action. Deciding is the customer's: a partner key decides
 * only while the customer enabled partner approvals, and never on an action it requested.
 * An approval releases a write, so it is judged by the gate as the gate stands now.
 */
export function evaluateDecision(input: {
  decision: "approve" | "reject";
  actorType: ActorType;
  actorApiKeyId: string | null;
  requestedByApiKeyId: string | null;
  axis: Axis;
  authority: AuthorityBlock;
  layer: LayerControls;
}): ApprovalDecision {
  const base = { axis: input.axis, currentMode: input.authority[input.axis] };
  if (input.actorType === "partner") {
    if (!input.layer.partnerApprovalsEnabled) {
      return { ...base, decision: "deny", reason: "partner_approvals_disabled" };
    }
    if (input.actorApiKeyId !== null && input.actorApiKeyId === input.requestedByApiKeyId) {
      return { ...base, decision: "deny", reason: "own_request" };
    }
  }
  if (input.decision === "reject") return { ...base, decision: "allow" };
  const release = evaluateWrite(input);
  if (release.decision === "deny") return { ...base, decision: "deny", reason: release.reason };
  return { ...base, decision: "allow" };
}

export interface DefaultsChange {
  defaults?: Partial<AuthorityBlock>;
  killSwitchActive?: boolean;
  partnerWritesEnabled?: boolean;
  partnerDefaultsChangesAllowed?: boolean;
  partnerApprovalsEnabled?: boolean;
}

/**
 * A layer defaults change. Only users touch the customer's switches; partners may only
 * lower defaults, only while the customer allows it, and never under the kill switch.
 */
export function evaluateDefaultsChange(input: {
  actorType: ActorType;
  change: DefaultsChange;
  current: AuthorityBlock;
  layer: LayerControls;
}): PolicyDecision {
  if (input.actorType === "user") return { decision: "allow" };
  const { change } = input;
  if (
    change.killSwitchActive !== undefined ||
    change.partnerWritesEnabled !== undefined ||
    change.partnerDefaultsChangesAllowed !== undefined ||
    change.partnerApprovalsEnabled !== undefined
  ) {
    return { decision: "deny", reason: "user_only_control" };
  }
  if (input.layer.killSwitchActive) return { decision: "deny", reason: "kill_switch_active" };
  if (!input.layer.partnerDefaultsChangesAllowed)
    return { decision: "deny", reason: "partner_defaults_locked" };
  const breach = findCeilingBreach(change.defaults ?? {}, input.current);
  if (breach) return { decision: "deny", reason: "exceeds_customer_policy", ...breach };
  return { decision: "allow" };
}

const DENIAL_MESSAGES: Record<DenyReason, string> = {
  kill_switch_active: "the customer's kill switch is active.",
  partner_writes_disabled: "the customer has not enabled partner writes.",
  authority_axis_off: "the axis is off.",
  exceeds_customer_policy: "the requested authority exceeds what the customer set.",
  partner_defaults_locked: "the customer does not allow partners to change layer defaults.",
  user_only_control: "only the customer may change this control.",
  partner_approvals_disabled: "only the customer approves pending actions (partner approvals are off).",
  own_request: "a key never decides an action it requested.",
};

/** The end of a denial's message, in the customer's terms. */
export function denialMessage(reason: DenyReason): string {
  return DENIAL_MESSAGES[reason];
}
