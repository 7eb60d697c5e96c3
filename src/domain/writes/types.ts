/**
 * Owns the shape of a gated write: everything the shared pipeline (validate → gate → commit
 * with outbox → queue or dispatch) and the job machine need to know about one action. Adding
 * a write means adding a description, not copying a flow.
 */

import type { PlatformOperation } from "../../platforms/types";
import type { AdRecord } from "../ad-model";
import type { AdsetRecord } from "../adset-model";
import type { Axis } from "../authority";
import type { ActionType, ActionValue, CampaignRecord } from "../campaign-model";
import type { KeywordRecord, PlatformKeywordOutcome } from "../keyword-model";

/**
 * What a write acts on: the campaign, for an ad set write the ad set in its tree, for an ad
 * write the ad (null for a push until it settles) and the other ads of its ad set.
 */
export interface WriteTarget {
  campaign: CampaignRecord;
  adset: AdsetRecord | null;
  /** The campaign's keywords (Apple targeting keywords), which keyword writes read and settle. */
  keywords?: Map<string, KeywordRecord>;
  ad?: AdRecord | null;
  /** Every ad of the target's ad set (for an ad write). */
  adsetAds?: AdRecord[];
  /** Every ad set of the campaign (campaign-level writes that reach its ad sets). */
  tree: AdsetRecord[];
}

/** A state conflict or a value the target cannot take: answered before the gate, no verdict. */
export interface Refusal {
  code: "CONFLICT" | "VALIDATION" | "WOULD_LEAVE_ADSET_EMPTY";
  message: string;
  details?: Record<string, unknown>;
}

/** What the platform answered when it carried the write out. */
export interface PlatformSuccess {
  platformCampaignId: string;
  /** A bulk keyword call's answer per item. */
  keywords?: PlatformKeywordOutcome[];
  platformAdId?: string;
  platformCreativeId?: string;
  /** The job was dispatched to the simulator (an ad created so is reviewed there too). */
  sandbox?: boolean;
  /** For an ad set create: the new ad set's platform id. */
  platformAdsetId?: string;
}

export interface WriteDescription<Target, V extends ActionValue = ActionValue> {
  action: ActionType;
  /** The authority axis that governs it (SPEC §3). */
  axis: Axis;
  /** Why the write cannot be taken now, given where the target is. */
  blocker(target: Target, value: V): Refusal | null;
  /** What a pending action shows as "before". */
  currentValue(target: Target, value: V): ActionValue | null;
  /** The target already is what the write asks for. */
  isNoop(target: Target, value: V): boolean;
  /** The platform call, or null when nothing exists on the platform to act on. */
  operation(target: Target, value: V): PlatformOperation | null;
  /** Applies the write to the target once the platform confirmed it. */
  settle(target: Target, value: V, outcome: PlatformSuccess | null): void;
  /**
   * A write that makes a new entity: the record it adds to the tree when it is accepted
   * (dispatched or queued), which its job then acts on.
   */
  creates?(target: Target, value: V, now: string): AdsetRecord;
  /** Its settle may change any ad set of the tree (a campaign-level write that reaches them). */
  touchesTree?: boolean;
  /** The job ended without the platform carrying it out (failed, rejected, expired). */
  abandon?(target: Target, outcome: "failed" | "rejected", now: string): void;
}
