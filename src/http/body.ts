/**
 * Request bodies: JSON only, at most 64 KB. Oversized bodies answer 413 before they are
 * read whole; bodies that are not JSON answer 400. Schema checks come later, per route.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { ApiError, validationError } from "./errors";

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const tooLarge = () =>
  new ApiError("PAYLOAD_TOO_LARGE", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, {
    limitBytes: MAX_BODY_BYTES,
  });

export const jsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
  const declared = Number(c.req.header("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = await readCapped(c.req.raw);
  if (bytes.byteLength === 0) return next();
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw validationError(
      [
        {
          location: "header",
          path: "Content-Type",
          message: "Request bodies must be JSON (Content-Type: application/json).",
        },
      ],
      400,
    );
  }
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
  // The stream is spent: later readers (validators, idempotency hashing) read this copy.
  c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body: text });
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
