/**
 * Owns Apple Search Ads' targeting keyword calls on one ad group (API v5): bulk create, bulk
 * update, bulk delete, and the listing a retry reads first so it never creates twice (Apple has
 * no idempotency key, and a keyword's text and match type are unique in an ad group). Apple
 * answers per item: a duplicate comes back as HTTP 200 with an error in the payload, so every
 * item is checked.
 *
 * Unconfirmed (read defensively): the create/update answer `{ data: [Keyword…], error: {
 * errors: [{ messageCode, message, field }] } }` with failed items missing from `data` and their
 * error's `field` naming the item's index (e.g. `KeywordImport[1].text`); the delete answer's
 * `data` being the count deleted.
 */
import { keywordKey, type PlatformKeywordOutcome } from "../domain/keyword-model";
import { toAppleAmount } from "../domain/money";
import { idField, isRecord, type PlatformResponse, stringField } from "./http";
import type { AdAccountConnection, DispatchContext, KeywordOperation, PlatformResult } from "./types";

export type AppleSend = (
  method: "GET" | "POST" | "PUT",
  path: string,
  body?: unknown,
) => Promise<PlatformResponse>;

/** One page of a listing; an ad group holds at most 5000 keywords. */
const LIST_PAGE = 1000;
const LIST_MAX = 5000;

const MATCH_TYPES = { exact: "EXACT", broad: "BROAD" } as const;
const STATUSES = { active: "ACTIVE", paused: "PAUSED" } as const;

/** Apple's ids are int64: sent as JSON numbers while they are safe integers. */
function appleId(id: string): number | string {
  const n = Number(id);
  return /^\d+$/.test(id) && Number.isSafeInteger(n) ? n : id;
}

function keywordsPath(op: KeywordOperation): string {
  const cid = encodeURIComponent(op.platformCampaignId);
  const agid = encodeURIComponent(op.platformAdsetId);
  return `/campaigns/${cid}/adgroups/${agid}/targetingkeywords`;
}

interface AppleItemError {
  message: string;
  platformCode?: string;
  field?: string;
}

function itemErrors(body: unknown): AppleItemError[] {
  const error = isRecord(body) ? body.error : undefined;
  const errors = isRecord(error) && Array.isArray(error.errors) ? error.errors : [];
  return errors.map((e) => {
    const messageCode = stringField(e, "messageCode");
    const field = stringField(e, "field");
    return {
      message: `Apple Search Ads: ${stringField(e, "message") ?? messageCode ?? "the item was refused"}`,
      ...(messageCode ? { platformCode: messageCode } : {}),
      ...(field ? { field } : {}),
    };
  });
}

/** The error naming item `index` (`…[index]…` in its field), else the only error there is. */
function errorFor(errors: AppleItemError[], index: number): AppleItemError | undefined {
  const named = errors.find((e) => e.field !== undefined && new RegExp(`\\[${index}\\]`).test(e.field));
  if (named) return named;
  const unnamed = errors.filter((e) => e.field === undefined || !/\[\d+\]/.test(e.field));
  return unnamed.length > 0 ? unnamed[0] : undefined;
}

function failed(
  keywordId: string,
  error: AppleItemError | undefined,
  fallback: string,
): PlatformKeywordOutcome {
  return {
    keywordId,
    ok: false,
    error: {
      message: error?.message ?? fallback,
      ...(error?.platformCode ? { platformCode: error.platformCode } : {}),
    },
  };
}

const dataList = (body: unknown): unknown[] =>
  isRecord(body) && Array.isArray(body.data) ? body.data.filter((d) => d !== null) : [];

/** The ad group's keywords that exist (not deleted), by text and match type → platform id. */
async function existingKeywords(send: AppleSend, path: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let offset = 0; offset < LIST_MAX; offset += LIST_PAGE) {
    const response = await send("GET", `${path}?limit=${LIST_PAGE}&offset=${offset}`);
    const page = dataList(response.body);
    for (const item of page) {
      const id = idField(item, "id");
      const text = stringField(item, "text");
      const matchType = stringField(item, "matchType");
      if (!id || !text || !matchType || (isRecord(item) && item.deleted === true)) continue;
      found.set(keywordKey(text, matchType.toLowerCase()), id);
    }
    if (page.length < LIST_PAGE) break;
  }
  return found;
}

async function addKeywords(
  op: Extract<KeywordOperation, { type: "add_keywords" }>,
  account: AdAccountConnection,
  context: DispatchContext,
  send: AppleSend,
): Promise<PlatformKeywordOutcome[]> {
  const path = keywordsPath(op);
  const outcomes = new Map<string, PlatformKeywordOutcome>();
  // A retry first takes what an earlier attempt already created.
  const existing = context.attempt > 1 ? await existingKeywords(send, path) : new Map<string, string>();
  const toSend = op.keywords.filter((k) => {
    const id = existing.get(keywordKey(k.text, k.matchType));
    if (id) outcomes.set(k.keywordId, { keywordId: k.keywordId, ok: true, platformKeywordId: id });
    return !id;
  });
  if (toSend.length > 0) {
    const response = await send(
      "POST",
      `${path}/bulk`,
      toSend.map((k) => ({
        text: k.text.trim(),
        matchType: MATCH_TYPES[k.matchType],
        status: STATUSES[k.status],
        ...(k.bidAmountCents === null
          ? {}
          : {
              bidAmount: {
                amount: toAppleAmount(k.bidAmountCents, account.currency),
                currency: account.currency,
              },
            }),
      })),
    );
    const created = new Map<string, string>();
    for (const item of dataList(response.body)) {
      const id = idField(item, "id");
      const text = stringField(item, "text");
      const matchType = stringField(item, "matchType");
      if (id && text && matchType) created.set(keywordKey(text, matchType.toLowerCase()), id);
    }
    const errors = itemErrors(response.body);
    toSend.forEach((k, i) => {
      const id = created.get(keywordKey(k.text, k.matchType));
      outcomes.set(
        k.keywordId,
        id
          ? { keywordId: k.keywordId, ok: true, platformKeywordId: id }
          : failed(k.keywordId, errorFor(errors, i), "Apple Search Ads did not create this keyword."),
      );
    });
  }
  return op.keywords.map((k) => outcomes.get(k.keywordId) as PlatformKeywordOutcome);
}

async function updateKeywords(
  op: Extract<KeywordOperation, { type: "update_keywords" }>,
  account: AdAccountConnection,
  send: AppleSend,
): Promise<PlatformKeywordOutcome[]> {
  if (op.keywords.length === 0) return [];
  // Only `bidAmount` and `status` can change (text and match type are fixed in v5).
  const response = await send(
    "PUT",
    `${keywordsPath(op)}/bulk`,
    op.keywords.map((k) => ({
      id: appleId(k.platformKeywordId),
      ...(k.bidAmountCents === undefined
        ? {}
        : {
            bidAmount: {
              amount: toAppleAmount(k.bidAmountCents, account.currency),
              currency: account.currency,
            },
          }),
      ...(k.status === undefined ? {} : { status: STATUSES[k.status] }),
    })),
  );
  const updated = new Set(dataList(response.body).flatMap((item) => idField(item, "id") ?? []));
  const errors = itemErrors(response.body);
  return op.keywords.map((k, i) =>
    updated.has(k.platformKeywordId)
      ? { keywordId: k.keywordId, ok: true, platformKeywordId: k.platformKeywordId }
      : failed(k.keywordId, errorFor(errors, i), "Apple Search Ads did not update this keyword."),
  );
}

async function deleteKeywords(
  op: Extract<KeywordOperation, { type: "delete_keywords" }>,
  context: DispatchContext,
  send: AppleSend,
): Promise<PlatformKeywordOutcome[]> {
  const path = keywordsPath(op);
  const stillThere = async () => new Set((await existingKeywords(send, path)).values());
  // A retry deletes only what an earlier attempt left (Apple's lists leave deleted keywords out).
  const before = context.attempt > 1 ? await stillThere() : null;
  const toDelete = op.keywords.filter((k) => before === null || before.has(k.platformKeywordId));
  let after: Set<string> | null = null;
  if (toDelete.length > 0) {
    const response = await send(
      "POST",
      `${path}/delete/bulk`,
      toDelete.map((k) => appleId(k.platformKeywordId)),
    );
    const count = isRecord(response.body) ? response.body.data : undefined;
    // Fewer deleted than asked: read which are still there.
    if (typeof count === "number" && count < toDelete.length) after = await stillThere();
  }
  return op.keywords.map((k) =>
    after?.has(k.platformKeywordId)
      ? failed(k.keywordId, undefined, "Apple Search Ads did not delete this keyword.")
      : { keywordId: k.keywordId, ok: true, platformKeywordId: k.platformKeywordId },
  );
}

/** Runs one bulk keyword call; the call succeeds as a whole while its items may fail one by one. */
export async function appleKeywordCall(
  op: KeywordOperation,
  account: AdAccountConnection,
  context: DispatchContext,
  send: AppleSend,
): Promise<PlatformResult> {
  const keywords =
    op.type === "add_keywords"
      ? await addKeywords(op, account, context, send)
      : op.type === "update_keywords"
        ? await updateKeywords(op, account, send)
        : await deleteKeywords(op, context, send);
  return {
    ok: true,
    platformCampaignId: op.platformCampaignId,
    platformAdsetId: op.platformAdsetId,
    keywords,
  };
}
