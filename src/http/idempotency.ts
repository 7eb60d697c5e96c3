/**
 * Idempotency (SPEC §5) for every POST/PATCH/DELETE: the first response for a key is stored
 * and replayed byte-for-byte; a different body under the same key is a conflict; a key
 * still in flight answers 409 with Retry-After. Records live in the key's idempotency
 * object (src/objects/idempotency.ts), not in D1.
 */
import { createMiddleware } from "hono/factory";
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
    const headers = new Headers(existing.response.headers);
    headers.set("Idempotent-Replayed", "true");
    headers.set("X-Request-Id", c.get("requestId"));
    return new Response(existing.response.body, { status: existing.response.status, headers });
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
