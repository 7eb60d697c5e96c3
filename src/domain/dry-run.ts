/**
 * Owns what a dry run answers: the gate's decision on a write, in the API's terms, without
 * anything being recorded. Every gated write (the campaign pipeline, the create, the
 * authority and defaults changes) builds its dry-run answer here from its own gate decision.
 */
import type { Axis, Mode } from "./authority";
import type { DenyReason } from "./gate";

export interface DryRunDecision {
  dryRun: true;
  /** What the real call would do now: `allow` dispatches (or applies), `queue` waits for approval. */
  decision: "allow" | "queue" | "deny";
  /** The axis the gate judged on; null for a policy change that names no axis. */
  axis: Axis | null;
  /** That axis's mode now; null with `axis`. */
  currentMode: Mode | null;
  reason?: DenyReason;
  /** The write would complete at once changing nothing: no dispatch, no pending action. */
  noop?: true;
  /** A ceiling breach: the mode asked for and the highest the caller may set. */
  requestedMode?: Mode;
  ceilingMode?: Mode;
}

/** The shape every gate function answers in (`domain/gate.ts`). */
interface GateAnswer {
  decision: "dispatch" | "queue" | "allow" | "deny";
  axis?: Axis;
  currentMode?: Mode | null;
  reason?: DenyReason;
  requestedMode?: Mode;
  ceilingMode?: Mode;
}

/**
 * A gate decision as a dry run's answer. `currentMode` falls back to `modeOf(axis)` for
 * decisions that name an axis but not its mode (policy changes).
 */
export function dryRunOf(
  gate: GateAnswer,
  options: { noop?: boolean; modeOf?: (axis: Axis) => Mode } = {},
): DryRunDecision {
  const axis = gate.axis ?? null;
  const currentMode = gate.currentMode ?? (axis && options.modeOf ? options.modeOf(axis) : null);
  return {
    dryRun: true,
    decision: gate.decision === "dispatch" ? "allow" : gate.decision,
    axis,
    currentMode: axis ? currentMode : null,
    ...(gate.decision === "deny" && gate.reason ? { reason: gate.reason } : {}),
    ...(gate.requestedMode ? { requestedMode: gate.requestedMode } : {}),
    ...(gate.ceilingMode ? { ceilingMode: gate.ceilingMode } : {}),
    ...(options.noop && gate.decision !== "deny" ? { noop: true as const } : {}),
  };
}
