/** Apple keyword limits and per-keyword job results: the pure parts of the keyword writes. */
import { describe, expect, it } from "vitest";
import type { AdsetRecord } from "../../src/domain/adset-model";
import type { CampaignRecord } from "../../src/domain/campaign-model";
import type { KeywordAddItem, KeywordRecord } from "../../src/domain/keyword-model";
import { addIssues, addressIssues } from "../../src/domain/keyword-rules";
import { KEYWORD_WRITES, keywordJobResults } from "../../src/domain/writes/keywords";

const record = (id: string, text: string, overrides: Partial<KeywordRecord> = {}): KeywordRecord => ({
  id,
  campaignId: "cmp_1",
  adsetId: "adg_1",
  text,
  matchType: "exact",
  bidAmountCents: null,
  status: "active",
  platformKeywordId: `p${id}`,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  ...overrides,
});

const item = (text: string, overrides: Partial<KeywordAddItem> = {}): KeywordAddItem => ({
  keywordId: `kw_${text}`,
  text,
  matchType: "exact",
  bidAmountCents: null,
  status: "active",
  ...overrides,
});

describe("addIssues", () => {
  it("names words, duplicates (case and spacing ignored), existing keywords and bids over the budget", () => {
    const issues = addIssues(
      [
        item("a b c d e f g h i j k"),
        item("Run  Fast"),
        item("run fast"),
        item("run fast", { matchType: "broad" }),
        item("taken"),
        item("rich", { bidAmountCents: 5001 }),
      ],
      [record("kw_old", "TAKEN")],
      5000,
    );
    expect(issues.map((i) => i.path)).toEqual([
      "keywords.0.text",
      "keywords.2.text",
      "keywords.4.text",
      "keywords.5.bidAmountCents",
    ]);
  });

  it("refuses more than 5000 keywords in the ad group", () => {
    const existing = Array.from({ length: 4999 }, (_, i) => record(`kw_${i}`, `t${i}`));
    expect(addIssues([item("one")], existing, null)).toEqual([]);
    expect(addIssues([item("one"), item("two")], existing, null).map((i) => i.path)).toEqual(["keywords"]);
  });
});

describe("addressIssues", () => {
  it("names unknown, deleted-away and repeated ids", () => {
    const live = [record("kw_a", "a")];
    const issues = addressIssues(
      [{ keywordId: "kw_a" }, { keywordId: "kw_a" }, { keywordId: "kw_gone" }],
      live,
      null,
    );
    expect(issues.map((i) => i.path)).toEqual(["keywords.1.keywordId", "keywords.2.keywordId"]);
  });
});

describe("keyword job results", () => {
  const campaign = { id: "cmp_1", platform: "apple", platformCampaignId: "1" } as CampaignRecord;
  const adset = { id: "adg_1", platformAdsetId: "2" } as AdsetRecord;

  it("an update settles only what the platform confirmed; a keyword gone before its turn fails", () => {
    const keywords = new Map([
      ["kw_a", record("kw_a", "a")],
      ["kw_b", record("kw_b", "b")],
      ["kw_c", record("kw_c", "c", { status: "deleted" })],
    ]);
    const target = { campaign, adset, keywords, tree: [adset] };
    const value = {
      keywords: [
        { keywordId: "kw_a", bidAmountCents: 200 },
        { keywordId: "kw_b", status: "paused" },
        { keywordId: "kw_c", status: "paused" },
      ],
    };
    const write = KEYWORD_WRITES.update_keywords;
    const op = write.operation(target, value);
    expect(op && "keywords" in op && op.keywords.map((k) => k.keywordId)).toEqual(["kw_a", "kw_b"]);
    const outcome = {
      platformCampaignId: "1",
      keywords: [
        { keywordId: "kw_a", ok: true, platformKeywordId: "pkw_a" },
        { keywordId: "kw_b", ok: false, error: { message: "nope", platformCode: "X" } },
      ],
    };
    write.settle(target, value, outcome);
    expect(keywords.get("kw_a")?.bidAmountCents).toBe(200);
    expect(keywords.get("kw_b")?.status).toBe("active");
    expect(
      keywordJobResults("update_keywords", target, value, outcome.keywords).map((r) => [
        r.status,
        r.error?.message,
      ]),
    ).toEqual([
      ["updated", undefined],
      ["failed", "nope"],
      ["failed", "The keyword was deleted before this write's turn."],
    ]);
  });
});
