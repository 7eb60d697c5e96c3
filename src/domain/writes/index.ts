/** Owns the lookup of a write's description by its action, campaign-level and ad set-level alike. */
import type { ActionType } from "../campaign-model";
import { AD_WRITES } from "./ad";
import { ADSET_BUDGET_WRITE, ADSET_WRITES, type AdsetWrite } from "./adset";
import { CREATE_ADSET_WRITE } from "./adset-create";
import { BID_STRATEGY_WRITE } from "./bid-strategy";
import { campaignWrite } from "./campaign";
import { isKeywordAction, KEYWORD_WRITES } from "./keywords";
import { ADSET_SCHEDULE_WRITE, CAMPAIGN_SCHEDULE_WRITE } from "./schedule";
import type { WriteTarget } from "./types";

/** The writes that see the whole target (an ad set, or the campaign's whole tree). */
const TREE_WRITES: Partial<Record<ActionType, AdsetWrite>> = {
  ...ADSET_WRITES,
  create_adset: CREATE_ADSET_WRITE as AdsetWrite,
  update_bid_strategy: BID_STRATEGY_WRITE as AdsetWrite,
};

/**
 * The campaign-level writes see the target's campaign; the ad set writes the whole target.
 * `update_budget` and `update_schedule` name both levels: `onAdset` picks the ad set's.
 */
export function describeWrite(action: ActionType, onAdset = false): AdsetWrite {
  if (action === "update_budget" && onAdset) return ADSET_BUDGET_WRITE;
  if (action === "update_schedule")
    return (onAdset ? ADSET_SCHEDULE_WRITE : CAMPAIGN_SCHEDULE_WRITE) as AdsetWrite;
  if (isKeywordAction(action)) return KEYWORD_WRITES[action];
  if (action in AD_WRITES) return AD_WRITES[action as keyof typeof AD_WRITES] as AdsetWrite;
  const tree = TREE_WRITES[action];
  if (tree) return tree;
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
  return action in ADSET_WRITES || action === "create_adset" || isKeywordAction(action);
}

/** Whether an action acts on an ad (its job and pending action name the ad). */
export function isAdAction(action: ActionType): boolean {
  return action in AD_WRITES;
}

export type { WriteTarget };
