/**
 * Owns `update_bid_strategy` (tactical): the campaign's bid strategy, wherever the platform
 * keeps it. Meta: on the campaign under an Advantage campaign budget (`budgetLevel: campaign`;
 * a cap's amount goes to each ad set), on every ad set otherwise; TikTok: on every ad group;
 * Apple: on the campaign (`biddingStrategy`), its ad groups keep their default bid. The
 * adapters send it there; the campaign read and every ad set read show it.
 */

import { budgetLevel } from "../adset-defaults";
import { ACTION_AXIS } from "../campaign-model";
import { bidStrategyIssues } from "../campaign-rules";
import { campaignSpec, readiness } from "./campaign";
import { liveAdsets } from "./schedule";
import type { WriteDescription, WriteTarget } from "./types";

export type BidStrategyValue = Record<string, unknown> & { type: string };

export const BID_STRATEGY_WRITE: WriteDescription<WriteTarget, BidStrategyValue> = {
  action: "update_bid_strategy",
  axis: ACTION_AXIS.update_bid_strategy,
  touchesTree: true,
  blocker(target, bid) {
    const notReady = readiness(target.campaign, "update_bid_strategy");
    if (notReady) return notReady;
    const issues = bidStrategyIssues(target.campaign.platform, bid);
    if (issues.length === 0) return null;
    return {
      code: "VALIDATION",
      message: issues.map((i) => i.message).join(" "),
      details: { issues: issues.map((i) => ({ location: "body", ...i })) },
    };
  },
  currentValue: (target) => ({ ...target.campaign.bidStrategy }),
  isNoop: (target, bid) => JSON.stringify(target.campaign.bidStrategy) === JSON.stringify(bid),
  operation(target, bid) {
    const { campaign } = target;
    if (!campaign.platformCampaignId) return null;
    return {
      type: "update_bid_strategy",
      campaign: campaignSpec(campaign),
      platformCampaignId: campaign.platformCampaignId,
      bidStrategy: bid,
      budgetLevel: budgetLevel(campaign),
      adsets: liveAdsets(target).map((a) => ({
        platformAdsetId: a.platformAdsetId,
        billingEvent: a.billingEvent,
      })),
    };
  },
  settle(target, bid) {
    target.campaign.bidStrategy = { ...bid };
    for (const adset of target.tree) {
      if (adset.status === "deleted") continue;
      // Apple's ad groups keep their own default bid under the campaign's strategy.
      const own =
        typeof adset.bidStrategy.defaultBidCents === "number" ? adset.bidStrategy.defaultBidCents : null;
      adset.bidStrategy = { ...(own === null ? {} : { defaultBidCents: own }), ...bid };
    }
  },
};
