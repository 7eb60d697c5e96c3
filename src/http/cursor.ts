/** Opaque pagination cursors: base64url JSON, validated on the way back in (malformed → 422). */
import type { z } from "@hono/zod-openapi";
import { validationError } from "./errors";

export function encodeCursor(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the validation error below: any undecodable cursor is the caller's error.
  }
  throw validationError([{ location: "query", path: "cursor", message: "Malformed cursor." }]);
}

/** The cursor after a keyset page: the last row's sort key, or null when no row follows. */
export function nextCursor<R>(
  rows: readonly R[],
  hasMore: boolean,
  key: (last: R) => unknown,
): string | null {
  const last = rows.at(-1);
  return hasMore && last !== undefined ? encodeCursor(key(last)) : null;
}
