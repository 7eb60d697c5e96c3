import { describe, expect, it } from "vitest";
import { nextRetryDelay } from "../../src/dispatch/retry-policy";
import { createIssues } from "../../src/domain/campaign-rules";
import { isId, newId } from "../../src/domain/ids";

const valid = {
  adAccountId: "aa_x",
  name: "n",
  outcome: "conversions",
  dailyBudgetCents: 5000,
  campaignManagementMode: "autopilot",
  creativeMode: "autopilot",
};
const future = new Date(Date.now() + 86_400_000).toISOString();
const past = new Date(Date.now() - 86_400_000).toISOString();

describe("createIssues", () => {
  it.each([
    ["meta", valid, []],
    ["meta", { ...valid, dailyBudgetCents: 99 }, ["dailyBudgetCents"]],
    ["tiktok", { ...valid, dailyBudgetCents: 4999 }, ["dailyBudgetCents"]],
    ["tiktok", { ...valid, dailyBudgetCents: undefined, lifetimeBudgetCents: 10_000 }, ["endTime"]],
    ["tiktok", { ...valid, dailyBudgetCents: undefined, lifetimeBudgetCents: 10_000, endTime: future }, []],
    ["meta", { ...valid, lifetimeBudgetCents: 10_000 }, ["lifetimeBudgetCents", "endTime"]],
    ["meta", { ...valid, dailyBudgetCents: undefined }, ["dailyBudgetCents"]],
    ["apple", valid, ["outcome"]],
    ["apple", { ...valid, outcome: "app_installs" }, []],
    [
      "apple",
      {
        ...valid,
        outcome: "app_installs",
        dailyBudgetCents: undefined,
        lifetimeBudgetCents: 10_000,
        endTime: future,
      },
      ["lifetimeBudgetCents"],
    ],
    ["meta", { ...valid, endTime: past }, ["endTime"]],
    [
      "meta",
      { ...valid, startTime: future, endTime: new Date(Date.now() + 3_600_000).toISOString() },
      ["endTime"],
    ],
    ["meta", { ...valid, bidStrategy: { type: "BID_TYPE_NO_BID" } }, ["bidStrategy.type"]],
    ["meta", { ...valid, bidStrategy: { type: "COST_CAP" } }, ["bidStrategy.bidAmountCents"]],
    [
      "apple",
      { ...valid, outcome: "app_installs", bidStrategy: { type: "MAX_CONVERSIONS" } },
      ["bidStrategy.targetCpaCents"],
    ],
    ["meta", { ...valid, targeting: { ageMin: 40, ageMax: 30 } }, ["targeting.ageMax"]],
    ["apple", { ...valid, outcome: "app_installs", targeting: { genders: ["male"] } }, ["targeting.genders"]],
    ["meta", { ...valid, metadata: { blob: "x".repeat(8200) } }, ["metadata"]],
    ["meta", { ...valid, metadata: { blob: "x".repeat(8000) } }, []],
  ] as const)("%s %o → %o", (platform, body, paths) => {
    expect(createIssues(platform, body).map((i) => i.path)).toEqual(paths);
  });
});

describe("nextRetryDelay", () => {
  const policy = { backoffBaseSeconds: 1, maxAttempts: 5 };
  it("grows exponentially within its jitter band", () => {
    expect(nextRetryDelay(policy, 1, undefined, () => 0)).toBe(1);
    expect(nextRetryDelay(policy, 3, undefined, () => 0)).toBe(2);
    expect(nextRetryDelay(policy, 3, undefined, () => 0.999)).toBe(4);
    expect(nextRetryDelay(policy, 4, undefined, () => 0.999)).toBe(8);
  });
  it("honours a longer retry hint", () => {
    expect(nextRetryDelay(policy, 1, 7_500, () => 0)).toBe(8);
  });
  it("gives up after the last attempt", () => {
    expect(nextRetryDelay(policy, 5, undefined)).toBeNull();
  });
  it("caps a single wait", () => {
    expect(nextRetryDelay({ ...policy, maxAttempts: 50, maxDelaySeconds: 30 }, 20, undefined, () => 1)).toBe(
      30,
    );
  });
});

describe("ids", () => {
  it("formats and recognises prefixed ULIDs", () => {
    const id = newId("campaign");
    expect(id).toMatch(/^cmp_[0-9A-Z]{26}$/);
    expect(isId("campaign", id)).toBe(true);
    expect(isId("job", id)).toBe(false);
    expect(isId("campaign", `${id}x`)).toBe(false);
    expect(isId("campaign", "cmp_' OR 1=1 --")).toBe(false);
  });
});

describe("entity tags", () => {
  it("compares If-Match strongly and If-None-Match weakly", async () => {
    const { ifMatchHolds, ifNoneMatchHits } = await import("../../src/domain/etags");
    expect(ifMatchHolds('"a2"', '"a2"')).toBe(true);
    expect(ifMatchHolds('"a1", "a2"', '"a2"')).toBe(true);
    expect(ifMatchHolds("*", '"a2"')).toBe(true);
    expect(ifMatchHolds('W/"a2"', '"a2"')).toBe(false);
    expect(ifMatchHolds('"a1"', '"a2"')).toBe(false);
    expect(ifNoneMatchHits('W/"j3"', '"j3"')).toBe(true);
    expect(ifNoneMatchHits('"j2"', '"j3"')).toBe(false);
  });
});
