/**
 * Owns the Apple keyword writes (add, update, delete in bulk on one ad group), one description
 * each, judged on the creative axis of the parent campaign by the same pipeline as every other
 * write. Apple answers a bulk call per item: the job completes with one result per keyword,
 * some of which may have failed (`keywordJobResults`). Pure: the campaign object does the I/O.
 */
import type { ActionType, ActionValue } from "../campaign-model";
import type {
  KeywordAddValue,
  KeywordDeleteValue,
  KeywordJobResult,
  KeywordRecord,
  KeywordUpdateValue,
  PlatformKeywordOutcome,
} from "../keyword-model";
import { addIssues, addressIssues, type KeywordIssue, liveKeywords } from "../keyword-rules";
import { readiness } from "./adset";
import { campaignSpec } from "./campaign";
import type { Refusal, WriteDescription, WriteTarget } from "./types";

type KeywordWrite<V extends ActionValue> = WriteDescription<WriteTarget, V>;

const KEYWORD_ACTIONS = ["add_keywords", "update_keywords", "delete_keywords"] as const;
export type KeywordAction = (typeof KEYWORD_ACTIONS)[number];

export function isKeywordAction(action: ActionType): action is KeywordAction {
  return (KEYWORD_ACTIONS as readonly string[]).includes(action);
}

function parts(target: WriteTarget) {
  const { adset, keywords } = target;
  if (!adset || !keywords) throw new Error("a keyword write without its ad set and keywords");
  return { adset, keywords, live: liveKeywords(keywords, adset.id) };
}

/** Not an Apple ad group on the platform, or the request's keywords do not fit it. */
function refusal(target: WriteTarget, issues: () => KeywordIssue[]): Refusal | null {
  if (target.campaign.platform !== "apple") {
    return { code: "VALIDATION", message: "Keywords are Apple Search Ads only." };
  }
  const notReady = readiness(target.campaign, target.adset);
  if (notReady) return notReady;
  const found = issues();
  if (found.length === 0) return null;
  return {
    code: "VALIDATION",
    message: found.map((i) => `${i.path}: ${i.message}`).join(" "),
    details: { issues: found.map((i) => ({ location: "body", ...i })) },
  };
}

const view = (k: KeywordRecord) => ({
  keywordId: k.id,
  text: k.text,
  matchType: k.matchType,
  bidAmountCents: k.bidAmountCents,
  status: k.status,
});

/** Update and delete show the keywords they address as they are now. */
function addressed(target: WriteTarget, items: { keywordId: string }[]) {
  const keywords = target.keywords ?? new Map<string, KeywordRecord>();
  return {
    keywords: items.flatMap(({ keywordId }) => {
      const k = keywords.get(keywordId);
      return k ? [view(k)] : [];
    }),
  };
}

function platformIds(target: WriteTarget) {
  const { adset } = parts(target);
  const { campaign } = target;
  if (!adset.platformAdsetId || !campaign.platformCampaignId) return null;
  return {
    campaign: campaignSpec(campaign),
    platformCampaignId: campaign.platformCampaignId,
    platformAdsetId: adset.platformAdsetId,
  };
}

/** The live keyword an update or delete addresses, if it still is. */
function liveOne(target: WriteTarget, keywordId: string): KeywordRecord | null {
  const k = target.keywords?.get(keywordId);
  return k && k.status !== "deleted" && k.adsetId === target.adset?.id ? k : null;
}

const okOutcomes = (outcome: { keywords?: PlatformKeywordOutcome[] } | null) =>
  new Map((outcome?.keywords ?? []).filter((o) => o.ok).map((o) => [o.keywordId, o]));

const addKeywords: KeywordWrite<KeywordAddValue> = {
  action: "add_keywords",
  axis: "creative",
  blocker: (target, value) =>
    refusal(target, () => addIssues(value.keywords, parts(target).live, target.campaign.dailyBudgetCents)),
  currentValue: (target) => ({ keywordCount: parts(target).live.length }),
  isNoop: () => false,
  operation(target, value) {
    const ids = platformIds(target);
    return ids ? { type: "add_keywords", ...ids, keywords: value.keywords } : null;
  },
  settle(target, value, outcome) {
    const { adset, keywords } = parts(target);
    const confirmed = okOutcomes(outcome);
    const now = new Date().toISOString();
    for (const item of value.keywords) {
      const ok = confirmed.get(item.keywordId);
      if (!ok?.platformKeywordId) continue;
      keywords.set(item.keywordId, {
        id: item.keywordId,
        campaignId: target.campaign.id,
        adsetId: adset.id,
        text: item.text.trim(),
        matchType: item.matchType,
        bidAmountCents: item.bidAmountCents,
        status: item.status,
        platformKeywordId: ok.platformKeywordId,
        createdAt: keywords.get(item.keywordId)?.createdAt ?? now,
        updatedAt: now,
      });
    }
  },
};

const updateKeywords: KeywordWrite<KeywordUpdateValue> = {
  action: "update_keywords",
  axis: "creative",
  blocker: (target, value) =>
    refusal(target, () =>
      addressIssues(value.keywords, parts(target).live, target.campaign.dailyBudgetCents),
    ),
  currentValue: (target, value) => addressed(target, value.keywords),
  isNoop: (target, value) =>
    value.keywords.every((item) => {
      const k = liveOne(target, item.keywordId);
      if (!k) return true;
      return (
        (item.bidAmountCents === undefined || item.bidAmountCents === k.bidAmountCents) &&
        (item.status === undefined || item.status === k.status)
      );
    }),
  operation(target, value) {
    const ids = platformIds(target);
    if (!ids) return null;
    const keywords = value.keywords.flatMap((item) => {
      const k = liveOne(target, item.keywordId);
      return k ? [{ ...item, platformKeywordId: k.platformKeywordId }] : [];
    });
    return { type: "update_keywords", ...ids, keywords };
  },
  settle(target, value, outcome) {
    const confirmed = okOutcomes(outcome);
    const now = new Date().toISOString();
    for (const item of value.keywords) {
      const k = liveOne(target, item.keywordId);
      if (!k || !confirmed.has(item.keywordId)) continue;
      if (item.bidAmountCents !== undefined) k.bidAmountCents = item.bidAmountCents;
      if (item.status !== undefined) k.status = item.status;
      k.updatedAt = now;
    }
  },
};

const deleteKeywords: KeywordWrite<KeywordDeleteValue> = {
  action: "delete_keywords",
  axis: "creative",
  blocker: (target, value) => refusal(target, () => addressIssues(value.keywords, parts(target).live, null)),
  currentValue: (target, value) => addressed(target, value.keywords),
  isNoop: (target, value) => value.keywords.every((item) => !liveOne(target, item.keywordId)),
  operation(target, value) {
    const ids = platformIds(target);
    if (!ids) return null;
    const keywords = value.keywords.flatMap((item) => {
      const k = liveOne(target, item.keywordId);
      return k ? [{ keywordId: k.id, platformKeywordId: k.platformKeywordId }] : [];
    });
    return { type: "delete_keywords", ...ids, keywords };
  },
  settle(target, value, outcome) {
    const confirmed = okOutcomes(outcome);
    const now = new Date().toISOString();
    for (const item of value.keywords) {
      const k = liveOne(target, item.keywordId);
      if (!k || !confirmed.has(item.keywordId)) continue;
      Object.assign(k, { status: "deleted", updatedAt: now });
    }
  },
};

export const KEYWORD_WRITES: Record<KeywordAction, WriteDescription<WriteTarget>> = {
  add_keywords: addKeywords as WriteDescription<WriteTarget>,
  update_keywords: updateKeywords as WriteDescription<WriteTarget>,
  delete_keywords: deleteKeywords as WriteDescription<WriteTarget>,
};

const DONE: Record<KeywordAction, KeywordJobResult["status"]> = {
  add_keywords: "created",
  update_keywords: "updated",
  delete_keywords: "deleted",
};

/**
 * One result per requested keyword once the job settles. `outcomes` null: settled without the
 * platform (the ad group already was what the write asks), so a keyword still there took it.
 */
export function keywordJobResults(
  action: KeywordAction,
  target: WriteTarget,
  value: ActionValue,
  outcomes: PlatformKeywordOutcome[] | null,
): KeywordJobResult[] {
  const items = (value as { keywords: { keywordId: string }[] }).keywords;
  const byId = new Map((outcomes ?? []).map((o) => [o.keywordId, o]));
  return items.map(({ keywordId }) => {
    const o = byId.get(keywordId);
    const platformKeywordId = o?.platformKeywordId ?? target.keywords?.get(keywordId)?.platformKeywordId;
    if (o?.ok || (outcomes === null && (action === "delete_keywords" || liveOne(target, keywordId)))) {
      return { keywordId, ...(platformKeywordId ? { platformKeywordId } : {}), status: DONE[action] };
    }
    const message =
      o?.error?.message ??
      (action === "add_keywords"
        ? "Apple did not confirm this keyword."
        : "The keyword was deleted before this write's turn.");
    const platformCode = o?.error?.platformCode;
    return {
      keywordId,
      status: "failed",
      error: { code: "PLATFORM_REJECTED", message, ...(platformCode ? { platformCode } : {}) },
    };
  });
}
