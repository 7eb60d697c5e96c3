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
  /** Customer-only: partners may approve pending actions (default off). */
  partnerApprovalsEnabled?: boolean;
}

export type DenyReason =
  | "kill_switch_active"
  | "partner_writes_disabled"
  | "authority_axis_off"
  | "exceeds_customer_policy"
  | "partner_defaults_locked"
  | "user_only_control";

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
 * A campaign authority change. Users may set anything. Partners are held to the layer
 * defaults as a ceiling (lowering is always within it) and are stopped by the kill switch
 * and by the customer turning partner writes off.
 */
export function evaluateAuthorityChange(input: {
  actorType: ActorType;
  requested: Partial<AuthorityBlock>;
  layerDefaults: AuthorityBlock;
  layer: LayerControls;
}): PolicyDecision {
  if (input.actorType === "user") return { decision: "allow" };
  if (input.layer.killSwitchActive) return { decision: "deny", reason: "kill_switch_active" };
  if (!input.layer.partnerWritesEnabled) return { decision: "deny", reason: "partner_writes_disabled" };
  const breach = findCeilingBreach(input.requested, input.layerDefaults);
  if (breach) return { decision: "deny", reason: "exceeds_customer_policy", ...breach };
  return { decision: "allow" };
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
  exceeds_customer_policy: "the requested authority exceeds the customer's layer defaults.",
  partner_defaults_locked: "the customer does not allow partners to change layer defaults.",
  user_only_control: "only the customer may change this control.",
};

/** The end of a denial's message, in the customer's terms. */
export function denialMessage(reason: DenyReason): string {
  return DENIAL_MESSAGES[reason];
}
