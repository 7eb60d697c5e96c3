/** Owns the lookup of a write's description by its action, campaign-level and ad set-level alike. */
import type { ActionType } from "../campaign-model";
import { AD_WRITES } from "./ad";
import { ADSET_BUDGET_WRITE, ADSET_WRITES, type AdsetWrite } from "./adset";
import { campaignWrite } from "./campaign";
import { isKeywordAction, KEYWORD_WRITES } from "./keywords";
import type { WriteTarget } from "./types";

/**
 * The campaign-level writes see the target's campaign; the ad set writes the whole target.
 * `update_budget` names both levels: `onAdset` picks the ad set's.
 */
export function describeWrite(action: ActionType, onAdset = false): AdsetWrite {
  if (action === "update_budget" && onAdset) return ADSET_BUDGET_WRITE;
  if (isKeywordAction(action)) return KEYWORD_WRITES[action];
  if (action in AD_WRITES) return AD_WRITES[action as keyof typeof AD_WRITES] as AdsetWrite;
  if (action in ADSET_WRITES) return ADSET_WRITES[action as keyof typeof ADSET_WRITES] as AdsetWrite;
  const write = campaignWrite(action);
  return {
    action: write.action,
    axis: write.axis,
    blocker: (t, v) => write.blocker(t.campaign, v),
    currentValue: (t, v) => write.currentValue(t.campaign, v),
    isNoop: (t, v) => write.isNoop(t.campaign, v),
    operation: (t, v) => write.operation(t.campaign, v),
    settle: (t, v, outcome) => write.settle(t.campaign, v, outcome),
  };
}

/** Whether an action acts on an ad set (its job and pending action name the ad set; keywords too). */
export function isAdsetAction(action: ActionType): boolean {
  return action in ADSET_WRITES || isKeywordAction(action);
}

/** Whether an action acts on an ad (its job and pending action name the ad). */
export function isAdAction(action: ActionType): boolean {
  return action in AD_WRITES;
}

export type { WriteTarget };
