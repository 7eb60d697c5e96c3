/**
 * Owns the "this id is real" signal for ids a write just minted (jobs, pending actions): the
 * caller's guard object remembers them for a few seconds, so a poll that races the D1 copy
 * waits for it while a forged id with a current timestamp answers 404 at once.
 */
import { createMiddleware } from "hono/factory";
import { keyGuard } from "../objects/key-guard";
import type { AppEnv } from "./context";

export const noteMintedIds = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status < 200 || c.res.status >= 300) return;
  if (!c.res.headers.get("content-type")?.includes("json")) return;
  const body: unknown = await c.res
    .clone()
    .json()
    .catch(() => null);
  if (typeof body !== "object" || body === null) return;
  const record = body as Record<string, unknown>;
  const ids = [record.jobId, record.pendingId].filter((v): v is string => typeof v === "string");
  if (ids.length === 0) return;
  const note = keyGuard(c.env, c.get("caller").apiKeyId)
    .noteMinted(ids)
    .catch((error) =>
      console.error(JSON.stringify({ level: "error", msg: "minted ids note", error: String(error) })),
    );
  c.executionCtx.waitUntil(note);
});
