/**
 * Owns what a change of a layer's defaults amounts to, before the layer object (its single
 * writer) commits it: the gate's decision, the verdict and `defaults.changed` events, the
 * next policy — or, for a dry run, only the decision.
 */
import type { AuditEvent } from "../../domain/audit-chain";
import type { ActorRef, ActorType } from "../../domain/authority";
import { type DryRunDecision, dryRunOf } from "../../domain/dry-run";
import { type DefaultsChange, denialMessage, evaluateDefaultsChange } from "../../domain/gate";
import {
  applyDefaultsChange,
  type LayerPolicy,
  policyControls,
  policyDefaults,
  publicForm,
} from "../../domain/layer-policy";
import { completeAuditEvent } from "../audit-ledger";
import type { Failure } from "../campaign";

export interface DefaultsChangeInput {
  layerId: string;
  platform: string;
  organizationId: string;
  projectId: string;
  change: DefaultsChange;
  ifMatch: string | null;
  verdictId: string;
  requestId: string;
  actor: ActorRef & { actorType: ActorType };
  /** Validate and judge only: answer the decision, change and record nothing. */
  dryRun?: boolean;
}

export type DefaultsPlan =
  | { dryRun: DryRunDecision }
  /** `next` null: refused (the verdict is still recorded, `refusal` is the answer). */
  | { next: LayerPolicy | null; events: AuditEvent[]; refusal: Failure | null };

export function planDefaultsChange(
  current: LayerPolicy,
  input: DefaultsChangeInput,
  now: string,
): DefaultsPlan {
  const audit = (eventType: string, data: Record<string, unknown>) =>
    completeAuditEvent({
      eventType,
      requestId: input.requestId,
      organizationId: input.organizationId,
      projectId: input.projectId,
      apiKeyId: input.actor.actorApiKeyId,
      actorType: input.actor.actorType,
      verdictId: input.verdictId,
      occurredAt: now,
      data: { action: "update_defaults", platform: input.platform, layerId: input.layerId, ...data },
    });
  const decision = evaluateDefaultsChange({
    actorType: input.actor.actorType,
    change: input.change,
    current: policyDefaults(current),
    layer: policyControls(current),
  });
  if (input.dryRun) {
    const defaults = policyDefaults(current);
    return { dryRun: dryRunOf(decision, { modeOf: (axis) => defaults[axis] }) };
  }
  if (decision.decision === "deny") {
    const { decision: _d, ...details } = decision;
    const verdict = audit("verdict", {
      decision: "deny",
      requested: input.change,
      current: policyDefaults(current),
      ...details,
    });
    const refusal: Failure = {
      ok: false,
      code: "AUTHORITY_DENIED",
      message: `Layer defaults change denied: ${denialMessage(decision.reason)}`,
      details: { verdictId: input.verdictId, ...details },
    };
    return { next: null, events: [verdict], refusal };
  }
  const next = applyDefaultsChange(current, input.change, input.actor, now);
  const events = [
    audit("verdict", { decision: "allow", requested: input.change }),
    audit("defaults.changed", {
      previous: publicForm(current),
      next: publicForm(next),
      version: next.version,
    }),
  ];
  return { next, events, refusal: null };
}
