/**
 * Platform-aware checks on a campaign create that a schema alone cannot express. They read
 * the raw body defensively, so their issues can be listed beside the schema's own.
 */
import { BID_STRATEGY_TYPES, PLATFORM_RULES, type Platform, type PlatformRules } from "./platform-rules";

export interface RuleIssue {
  path: string;
  message: string;
}

export const MAX_METADATA_BYTES = 8 * 1024;

const dollars = (cents: number) => `${(cents / 100).toFixed(2)}`;
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const parseTime = (v: unknown) => (typeof v === "string" ? Date.parse(v) : Number.NaN);

export function budgetIssues(
  platform: Platform,
  body: Record<string, unknown>,
  path = "",
  rules: PlatformRules = PLATFORM_RULES[platform],
): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const daily = body.dailyBudgetCents;
  const lifetime = body.lifetimeBudgetCents;
  if (daily === undefined && lifetime === undefined) {
    issues.push({
      path: `${path}dailyBudgetCents`,
      message: "Set exactly one of dailyBudgetCents or lifetimeBudgetCents.",
    });
  } else if (daily !== undefined && lifetime !== undefined) {
    issues.push({
      path: `${path}lifetimeBudgetCents`,
      message: "Set exactly one of dailyBudgetCents or lifetimeBudgetCents, not both.",
    });
  }
  if (isInt(daily) && daily < rules.minDailyBudgetCents) {
    issues.push({
      path: `${path}dailyBudgetCents`,
      message: `${platform} requires a daily budget of at least ${rules.minDailyBudgetCents} cents (${dollars(rules.minDailyBudgetCents)}).`,
    });
  }
  if (isInt(daily) && daily > rules.maxDailyBudgetCents) {
    issues.push({
      path: `${path}dailyBudgetCents`,
      message: `${platform} accepts a daily budget of at most ${rules.maxDailyBudgetCents} cents (${dollars(rules.maxDailyBudgetCents)}).`,
    });
  }
  if (isInt(lifetime) && rules.lifetimeBudgets && lifetime > rules.maxLifetimeBudgetCents) {
    issues.push({
      path: `${path}lifetimeBudgetCents`,
      message: `${platform} accepts a lifetime budget of at most ${rules.maxLifetimeBudgetCents} cents (${dollars(rules.maxLifetimeBudgetCents)}).`,
    });
  }
  if (lifetime !== undefined && !rules.lifetimeBudgets) {
    issues.push({
      path: `${path}lifetimeBudgetCents`,
      message: `${platform} campaigns take daily budgets only.`,
    });
  } else if (isInt(lifetime) && lifetime < rules.minLifetimeBudgetCents) {
    issues.push({
      path: `${path}lifetimeBudgetCents`,
      message: `${platform} requires a lifetime budget of at least ${rules.minLifetimeBudgetCents} cents (${dollars(rules.minLifetimeBudgetCents)}).`,
    });
  }
  return issues;
}

/** A bid strategy the platform does not offer, or one missing the amount its type needs. */
export function bidStrategyIssues(platform: Platform, bid: Record<string, unknown>, path = ""): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const allowed: readonly string[] = BID_STRATEGY_TYPES[platform];
  if (typeof bid.type === "string" && !allowed.includes(bid.type)) {
    issues.push({ path: `${path}type`, message: `${platform} bid strategies: ${allowed.join(", ")}.` });
  }
  const needs: Record<string, string> = {
    LOWEST_COST_WITH_BID_CAP: "bidAmountCents",
    COST_CAP: "bidAmountCents",
    BID_TYPE_CUSTOM: "bidAmountCents",
    LOWEST_COST_WITH_MIN_ROAS: "roasFloor",
    MAX_CONVERSIONS: "targetCpaCents",
  };
  const field = typeof bid.type === "string" ? needs[bid.type] : undefined;
  if (field && bid[field] === undefined) {
    issues.push({ path: `${path}${field}`, message: `${String(bid.type)} requires ${field}.` });
  }
  return issues;
}

export function createIssues(
  platform: Platform,
  body: unknown,
  now = Date.now(),
  rules: PlatformRules = PLATFORM_RULES[platform],
): RuleIssue[] {
  if (!isRecord(body)) return [];
  const issues = budgetIssues(platform, body, "", rules);

  if (typeof body.outcome === "string" && !rules.outcomes.some((o) => o === body.outcome)) {
    issues.push({ path: "outcome", message: `${platform} supports only: ${rules.outcomes.join(", ")}.` });
  }
  const start = parseTime(body.startTime);
  const end = parseTime(body.endTime);
  if (!Number.isNaN(end)) {
    if (end <= now) issues.push({ path: "endTime", message: "endTime must be in the future." });
    if (!Number.isNaN(start) && end <= start)
      issues.push({ path: "endTime", message: "endTime must be after startTime." });
  }
  if (
    body.lifetimeBudgetCents !== undefined &&
    rules.lifetimeBudgetRequiresEndTime &&
    body.endTime === undefined
  ) {
    issues.push({ path: "endTime", message: `${platform} requires endTime with a lifetime budget.` });
  }

  if (body.budgetLevel === "adset" && platform === "apple") {
    issues.push({
      path: "budgetLevel",
      message: "Apple ad groups have no budget: the budget stays on the campaign.",
    });
  }
  if (isRecord(body.bidStrategy))
    issues.push(...bidStrategyIssues(platform, body.bidStrategy, "bidStrategy."));

  if (isRecord(body.targeting)) {
    const t = body.targeting;
    if (isInt(t.ageMin) && isInt(t.ageMax) && t.ageMin > t.ageMax) {
      issues.push({ path: "targeting.ageMax", message: "ageMax must be at least ageMin." });
    }
    if (platform === "apple") {
      for (const field of ["ageMin", "ageMax", "genders"]) {
        if (t[field] !== undefined) {
          issues.push({
            path: `targeting.${field}`,
            message: "Apple Search Ads campaigns target by country; set demographics on ad groups.",
          });
        }
      }
    }
  }

  if (body.metadata !== undefined) {
    const bytes = new TextEncoder().encode(JSON.stringify(body.metadata) ?? "").byteLength;
    if (bytes > MAX_METADATA_BYTES) {
      issues.push({
        path: "metadata",
        message: `metadata is ${bytes} bytes serialized; the limit is ${MAX_METADATA_BYTES}.`,
      });
    }
  }
  return issues;
}
