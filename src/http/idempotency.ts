/**
 * Idempotency (SPEC §5) for every POST/PUT/PATCH/DELETE: the first response for a key is stored
 * and replayed byte-for-byte; a different body under the same key is a conflict; a key
 * still in flight answers 409 with Retry-After. Records live in the key's idempotency
 * object (src/objects/idempotency.ts), not in D1. A dry run (`?dryRun=true`) skips them.
 */
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { canonicalJson, sha256Hex } from "../domain/audit-chain";
import { type IdempotencyScope, idempotencyObject } from "../objects/idempotency";
import type { AppEnv } from "./context";
import { ApiError, validationError } from "./errors";

const KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;
/** Response headers that belong to the stored response and are replayed with it. */
const REPLAYED_HEADERS = ["content-type", "etag", "location"];

export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const idempotencyKey = c.req.header("Idempotency-Key");
  if (idempotencyKey === undefined) return next();
  if (!KEY_PATTERN.test(idempotencyKey)) {
    throw validationError([
      { location: "header", path: "Idempotency-Key", message: "Must be 1–255 printable ASCII characters." },
    ]);
  }
  // A dry run changes nothing, so there is nothing to replay: it neither reads nor stores a record.
  if (c.get("dryRun")) return next();
  const scope: IdempotencyScope = {
    method: c.req.method,
    path: c.req.path,
    idempotencyKey,
  };
  const requestHash = await hashBody(await c.req.text());
  const records = idempotencyObject(c.env, c.get("caller").apiKeyId);
  const existing = await records.claim(scope, requestHash);
  if (existing) {
    if (existing.requestHash !== requestHash) {
      throw new ApiError(
        "IDEMPOTENCY_CONFLICT",
        "This Idempotency-Key was already used with a different request body.",
        { idempotencyKey },
      );
    }
    if (existing.state !== "complete" || existing.response === null) {
      throw new ApiError(
        "CONFLICT",
        "A request with this Idempotency-Key is still being processed. Retry shortly.",
        { idempotencyKey },
        { headers: { "Retry-After": "1" } },
      );
    }
    // Through `c`, so the headers admission set (X-RateLimit-*) are on the replay too.
    for (const [name, value] of Object.entries(existing.response.headers)) c.header(name, value);
    c.header("Idempotent-Replayed", "true");
    c.header("X-Request-Id", c.get("requestId"));
    return c.body(existing.response.body, existing.response.status as ContentfulStatusCode);
  }

  try {
    await next();
  } catch (error) {
    await records.release(scope);
    throw error;
  }
  if (c.res.status >= 500) {
    // Nothing was promised: let the client retry under the same key.
    await records.release(scope);
    return;
  }
  const secret = c.get("secretInResponse");
  if (secret) {
    // A minted secret is shown once and never stored: a retry under this key learns which
    // key its first request produced, not the secret.
    await records.complete(scope, {
      status: 409,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        error: {
          code: "CONFLICT",
          message: `This request already produced ${secret.apiKeyId}; its secret was shown once and is not replayed.`,
          requestId: c.get("requestId"),
          details: { apiKeyId: secret.apiKeyId, idempotencyKey },
        },
      }),
    });
    return;
  }
  const body = await c.res.clone().text();
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = c.res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  await records.complete(scope, { status: c.res.status, headers, body });
});

async function hashBody(text: string): Promise<string> {
  if (text.length === 0) return sha256Hex("");
  try {
    return await sha256Hex(canonicalJson(JSON.parse(text)));
  } catch {
    return sha256Hex(text);
  }
}
