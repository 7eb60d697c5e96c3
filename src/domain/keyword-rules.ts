/**
 * Owns what a keyword write cannot ask of an Apple ad group, given the keywords it has: checked
 * by the campaign object before the gate, so a refusal answers 422 with no verdict. Shape and
 * range limits (1–200 items, text length, bid range) are the route schema's.
 */
import {
  APPLE_KEYWORD_LIMITS,
  type KeywordAddItem,
  type KeywordRecord,
  type KeywordUpdateItem,
  keywordKey,
  wordCount,
} from "./keyword-model";

export interface KeywordIssue {
  path: string;
  message: string;
}

/** The ad group's keywords that still exist on the platform. */
export function liveKeywords(keywords: ReadonlyMap<string, KeywordRecord>, adsetId: string): KeywordRecord[] {
  return [...keywords.values()].filter((k) => k.adsetId === adsetId && k.status !== "deleted");
}

function bidIssues(path: string, bid: number | null | undefined, dailyBudgetCents: number | null) {
  const limits = APPLE_KEYWORD_LIMITS;
  if (bid === null || bid === undefined) return [];
  if (bid < limits.minBidCents || bid > limits.maxBidCents) {
    return [{ path, message: `A keyword bid is ${limits.minBidCents}–${limits.maxBidCents} cents.` }];
  }
  if (limits.bidAtMostDailyBudget && dailyBudgetCents !== null && bid > dailyBudgetCents) {
    return [{ path, message: "A keyword bid cannot exceed the campaign's daily budget." }];
  }
  return [];
}

export function addIssues(
  items: KeywordAddItem[],
  existing: KeywordRecord[],
  dailyBudgetCents: number | null,
): KeywordIssue[] {
  const limits = APPLE_KEYWORD_LIMITS;
  const issues: KeywordIssue[] = [];
  const taken = new Map(existing.map((k) => [keywordKey(k.text, k.matchType), k.id]));
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const at = `keywords.${i}`;
    if (item.text.trim() === "") issues.push({ path: `${at}.text`, message: "A keyword needs text." });
    else if (wordCount(item.text) > limits.maxWords) {
      issues.push({ path: `${at}.text`, message: `A keyword has at most ${limits.maxWords} words.` });
    }
    const key = keywordKey(item.text, item.matchType);
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({
        path: `${at}.text`,
        message: `Duplicates keywords.${first} (same text and match type; case is ignored).`,
      });
    } else seen.set(key, i);
    const existingId = taken.get(key);
    if (existingId !== undefined) {
      issues.push({ path: `${at}.text`, message: `The ad group already has this keyword (${existingId}).` });
    }
    issues.push(...bidIssues(`${at}.bidAmountCents`, item.bidAmountCents, dailyBudgetCents));
  });
  if (existing.length + items.length > limits.maxPerAdgroup) {
    issues.push({
      path: "keywords",
      message: `An Apple ad group holds at most ${limits.maxPerAdgroup} keywords; it has ${existing.length}.`,
    });
  }
  return issues;
}

/** Update and delete address live keywords of this ad group, each once. */
export function addressIssues(
  items: (KeywordUpdateItem | { keywordId: string })[],
  live: KeywordRecord[],
  dailyBudgetCents: number | null,
): KeywordIssue[] {
  const byId = new Set(live.map((k) => k.id));
  const seen = new Map<string, number>();
  const issues: KeywordIssue[] = [];
  items.forEach((item, i) => {
    const at = `keywords.${i}`;
    const first = seen.get(item.keywordId);
    if (first !== undefined) {
      issues.push({ path: `${at}.keywordId`, message: `Duplicates keywords.${first}.` });
    } else seen.set(item.keywordId, i);
    if (!byId.has(item.keywordId)) {
      issues.push({
        path: `${at}.keywordId`,
        message: "No such keyword in this ad group (or it is deleted).",
      });
    }
    if ("bidAmountCents" in item) {
      issues.push(...bidIssues(`${at}.bidAmountCents`, item.bidAmountCents, dailyBudgetCents));
    }
  });
  return issues;
}
