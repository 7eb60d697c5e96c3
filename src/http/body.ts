/**
 * Request bodies: JSON only, at most 64 KB. Oversized bodies answer 413 before they are
 * read whole; bodies that are not JSON answer 400. Schema checks come later, per route.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { ApiError, validationError } from "./errors";

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([a-z0-9!#$&^_.-]+\+)?json$/;
const PARAMETER = /^[ \t]*[A-Za-z0-9!#$&^_.+-]+[ \t]*=[ \t]*("[^"]*"|[^\s";]+)[ \t]*$/;

/**
 * The JSON media type a Content-Type names, or null. Whitespace around `;` is optional
 * whitespace (RFC 9110 §5.6.6), so `application/json ; charset=utf-8` is JSON.
 */
export function jsonMediaType(contentType: string): string | null {
  const [essence = "", ...parameters] = contentType.split(";");
  const type = essence.trim().toLowerCase();
  if (!JSON_MEDIA_TYPE.test(type)) return null;
  return parameters.every((p) => PARAMETER.test(p)) ? type : null;
}

export const notJsonContentType = () =>
  validationError(
    [
      {
        location: "header",
        path: "Content-Type",
        message: "Request bodies must be JSON (Content-Type: application/json).",
      },
    ],
    400,
  );

const tooLarge = () =>
  new ApiError("PAYLOAD_TOO_LARGE", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, {
    limitBytes: MAX_BODY_BYTES,
  });

export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
  const declared = Number(c.req.header("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await readCapped(c.req.raw);
  if (bytes.byteLength === 0) {
    // The stream is spent even when empty: later readers get a request without a body, and
    // without a Content-Type announcing one (an empty "JSON" body is no body).
    const headers = new Headers(c.req.raw.headers);
    headers.delete("Content-Type");
    c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers });
    return next();
  }
  const contentType = c.req.header("Content-Type");
  const mediaType = contentType === undefined ? null : jsonMediaType(contentType);
  if (mediaType === null) throw notJsonContentType();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    JSON.parse(text);
  } catch {
    throw validationError(
      [{ location: "body", path: "", message: "The request body is not valid JSON." }],
      400,
    );
  }
  // The stream is spent: later readers (validators, idempotency hashing) read this copy, under
  // the bare media type (the route validators' own test is stricter about spacing).
  const headers = new Headers(c.req.raw.headers);
  headers.set("Content-Type", mediaType);
  c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: text });
  return next();
});

async function readCapped(request: Request): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
