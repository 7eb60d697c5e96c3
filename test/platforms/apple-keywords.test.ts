/**
 * Apple targeting keyword requests (msw): the exact bulk create, update and delete requests,
 * the per-item answer parsing (a duplicate is HTTP 200 with an error in the payload), and the
 * retry path that reads the ad group's keywords first so nothing is created twice.
 */
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KeywordAddItem } from "../../src/domain/keyword-model";
import { AppleAdapter } from "../../src/platforms/apple";
import { SandboxAdapter } from "../../src/platforms/sandbox";
import type { KeywordOperation } from "../../src/platforms/types";
import { adAccount, campaignSpec, dispatchContext, RequestLog } from "./fixtures";

const BASE = "https://searchads.test.example/api/v5";
const CID = "1234567890";
const AGID = "2345678901";
const KEYWORDS = `${BASE}/campaigns/${CID}/adgroups/${AGID}/targetingkeywords`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const adapter = () =>
  new AppleAdapter({ apiBase: BASE, accessToken: "apple-test-token", oauth: undefined, timeoutMs: 2_000 });
const account = adAccount("apple");
const where = { campaign: campaignSpec("apple"), platformCampaignId: CID, platformAdsetId: AGID };

const addOp: KeywordOperation = {
  type: "add_keywords",
  ...where,
  keywords: [
    { keywordId: "kw_A", text: "trail running", matchType: "exact", bidAmountCents: 150, status: "active" },
    { keywordId: "kw_B", text: "Hiking App", matchType: "broad", bidAmountCents: null, status: "paused" },
  ],
};

function kw(id: number, text: string, matchType: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    adGroupId: Number(AGID),
    campaignId: Number(CID),
    text,
    matchType,
    status: "ACTIVE",
    ...extra,
  };
}

describe("Apple add_keywords", () => {
  it("POSTs one bulk array and reads each item's answer; a duplicate fails alone with HTTP 200", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${KEYWORDS}/bulk`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({
          data: [kw(7001, "trail running", "EXACT")],
          pagination: null,
          error: {
            errors: [
              {
                messageCode: "DUPLICATE_KEYWORD",
                message: "duplicate keyword",
                field: "KeywordImport[1].text",
              },
            ],
          },
        });
      }),
    );
    const result = await adapter().execute(addOp, account, dispatchContext());
    const sent = log.only();
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe(`${KEYWORDS}/bulk`);
    expect(sent.headers.get("x-ap-context")).toBe("orgId=40669820");
    expect(sent.headers.get("authorization")).toBe("Bearer apple-test-token");
    expect(JSON.parse(sent.body)).toEqual([
      {
        text: "trail running",
        matchType: "EXACT",
        status: "ACTIVE",
        bidAmount: { amount: "1.50", currency: "USD" },
      },
      { text: "Hiking App", matchType: "BROAD", status: "PAUSED" },
    ]);
    expect(result).toEqual({
      ok: true,
      platformCampaignId: CID,
      platformAdsetId: AGID,
      keywords: [
        { keywordId: "kw_A", ok: true, platformKeywordId: "7001" },
        {
          keywordId: "kw_B",
          ok: false,
          error: { message: "Apple Search Ads: duplicate keyword", platformCode: "DUPLICATE_KEYWORD" },
        },
      ],
    });
  });

  it("matches created items by text and match type, case ignored, whatever their order", async () => {
    server.use(
      http.post(`${KEYWORDS}/bulk`, () =>
        HttpResponse.json({ data: [kw(8002, "hiking app", "BROAD"), kw(8001, "Trail Running", "EXACT")] }),
      ),
    );
    const result = await adapter().execute(addOp, account, dispatchContext());
    expect(result.ok && result.keywords).toEqual([
      { keywordId: "kw_A", ok: true, platformKeywordId: "8001" },
      { keywordId: "kw_B", ok: true, platformKeywordId: "8002" },
    ]);
  });

  it("on a retry, lists the ad group first and posts only what the earlier attempt did not create", async () => {
    const log = new RequestLog();
    server.use(
      http.get(KEYWORDS, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({
          data: [kw(9001, "Trail Running", "EXACT"), kw(9009, "hiking app", "EXACT", { deleted: true })],
          pagination: { totalResults: 2, startIndex: 0, itemsPerPage: 2 },
        });
      }),
      http.post(`${KEYWORDS}/bulk`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [kw(9002, "Hiking App", "BROAD", { status: "PAUSED" })] });
      }),
    );
    const result = await adapter().execute(addOp, account, dispatchContext({ attempt: 2 }));
    expect(log.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `GET ${KEYWORDS}?limit=1000&offset=0`,
      `POST ${KEYWORDS}/bulk`,
    ]);
    expect(JSON.parse(log.at(1).body)).toEqual([
      { text: "Hiking App", matchType: "BROAD", status: "PAUSED" },
    ]);
    expect(result.ok && result.keywords).toEqual([
      { keywordId: "kw_A", ok: true, platformKeywordId: "9001" },
      { keywordId: "kw_B", ok: true, platformKeywordId: "9002" },
    ]);
  });

  it("a whole-call failure fails the attempt: 500 retries, 400 is a refusal", async () => {
    server.use(http.post(`${KEYWORDS}/bulk`, () => HttpResponse.json({}, { status: 500 })));
    expect(await adapter().execute(addOp, account, dispatchContext())).toMatchObject({
      ok: false,
      kind: "transient",
    });
    server.use(
      http.post(`${KEYWORDS}/bulk`, () =>
        HttpResponse.json(
          { data: null, error: { errors: [{ messageCode: "INVALID_INPUT", message: "bad", field: "x" }] } },
          { status: 400 },
        ),
      ),
    );
    expect(await adapter().execute(addOp, account, dispatchContext())).toMatchObject({
      ok: false,
      kind: "rejected",
      platformCode: "INVALID_INPUT",
    });
  });
});

describe("Apple update_keywords and delete_keywords", () => {
  it("PUTs ids with only the changed fields; an id missing from the answer failed", async () => {
    const log = new RequestLog();
    server.use(
      http.put(`${KEYWORDS}/bulk`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [kw(7001, "trail running", "EXACT", { status: "PAUSED" })] });
      }),
    );
    const result = await adapter().execute(
      {
        type: "update_keywords",
        ...where,
        keywords: [
          { keywordId: "kw_A", platformKeywordId: "7001", status: "paused" },
          { keywordId: "kw_B", platformKeywordId: "7002", bidAmountCents: 275 },
        ],
      },
      account,
      dispatchContext(),
    );
    const sent = log.only();
    expect(`${sent.method} ${sent.url}`).toBe(`PUT ${KEYWORDS}/bulk`);
    expect(JSON.parse(sent.body)).toEqual([
      { id: 7001, status: "PAUSED" },
      { id: 7002, bidAmount: { amount: "2.75", currency: "USD" } },
    ]);
    expect(result.ok && result.keywords).toEqual([
      { keywordId: "kw_A", ok: true, platformKeywordId: "7001" },
      {
        keywordId: "kw_B",
        ok: false,
        error: { message: "Apple Search Ads did not update this keyword." },
      },
    ]);
  });

  const deleteOp: KeywordOperation = {
    type: "delete_keywords",
    ...where,
    keywords: [
      { keywordId: "kw_A", platformKeywordId: "7001" },
      { keywordId: "kw_B", platformKeywordId: "7002" },
    ],
  };

  it("POSTs the ids to delete/bulk; a count short of the request reads which are left", async () => {
    const log = new RequestLog();
    server.use(
      http.post(`${KEYWORDS}/delete/bulk`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: 1 });
      }),
      http.get(KEYWORDS, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [kw(7002, "hiking app", "BROAD")] });
      }),
    );
    const result = await adapter().execute(deleteOp, account, dispatchContext());
    expect(log.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${KEYWORDS}/delete/bulk`,
      `GET ${KEYWORDS}?limit=1000&offset=0`,
    ]);
    expect(JSON.parse(log.at(0).body)).toEqual([7001, 7002]);
    expect(result.ok && result.keywords?.map((k) => [k.keywordId, k.ok])).toEqual([
      ["kw_A", true],
      ["kw_B", false],
    ]);
  });

  it("on a retry, deletes only what is still there", async () => {
    const log = new RequestLog();
    server.use(
      http.get(KEYWORDS, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: [kw(7002, "hiking app", "BROAD")] });
      }),
      http.post(`${KEYWORDS}/delete/bulk`, async ({ request }) => {
        await log.record(request);
        return HttpResponse.json({ data: 1 });
      }),
    );
    const result = await adapter().execute(deleteOp, account, dispatchContext({ attempt: 3 }));
    expect(JSON.parse(log.at(1).body)).toEqual([7002]);
    expect(result.ok && result.keywords?.every((k) => k.ok)).toBe(true);
  });
});

describe("sandbox keyword calls", () => {
  it("gives deterministic ids per job and keyword, and refuses only a [sandbox:reject] keyword", async () => {
    const sandbox = new SandboxAdapter();
    const op: KeywordOperation = {
      ...addOp,
      keywords: [
        ...addOp.keywords,
        { ...(addOp.keywords[0] as KeywordAddItem), keywordId: "kw_C", text: "no [sandbox:reject]" },
      ],
    };
    const sandboxAccount = adAccount("apple", { connection: "sandbox" });
    const first = await sandbox.execute(op, sandboxAccount, dispatchContext());
    const retried = await sandbox.execute(op, sandboxAccount, dispatchContext({ attempt: 2 }));
    expect(retried).toEqual(first);
    const items = first.ok ? (first.keywords ?? []) : [];
    expect(items.map((k) => k.ok)).toEqual([true, true, false]);
    expect(items[0]?.platformKeywordId).toMatch(/^1\d{9}$/);
    expect(items[0]?.platformKeywordId).not.toBe(items[1]?.platformKeywordId);
    expect(items[2]?.error?.platformCode).toBe("INVALID_INPUT");
  });
});
