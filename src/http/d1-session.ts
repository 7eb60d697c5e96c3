/**
 * Owns read sessions (D1 Sessions API) for every GET under /v1: D1 reads in the request go
 * through `withSession`, anchored at the caller's `x-d1-bookmark` (or, without one, at any
 * replica), and the answer carries the session's latest bookmark back in `x-d1-bookmark`.
 * A partner that sends back the last bookmark it saw never reads older data than that,
 * whichever replica answers. Handlers keep using `c.env.DB`: it is the session here.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./context";
import { validationError } from "./errors";

export const BOOKMARK_HEADER = "x-d1-bookmark";
/** D1 bookmarks are opaque; this only refuses what cannot be one (Unconfirmed: exact format). */
const BOOKMARK_PATTERN = /^[0-9A-Za-z-]{1,256}$/;

export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.method !== "GET") return next();
  const bookmark = c.req.header(BOOKMARK_HEADER);
  if (bookmark !== undefined && !BOOKMARK_PATTERN.test(bookmark)) {
    throw validationError(
      [{ location: "header", path: BOOKMARK_HEADER, message: "Send back a bookmark this API returned." }],
      400,
    );
  }
  const primary = c.env.DB;
  const session = primary.withSession(bookmark ?? "first-unconstrained");
  c.env = { ...c.env, DB: sessionAsDatabase(primary, session) };
  await next();
  const latest = session.getBookmark() ?? bookmark;
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
});

/** The session behind the D1Database interface that repositories take. */
function sessionAsDatabase(primary: D1Database, session: D1DatabaseSession): D1Database {
  return {
    prepare: (query) => session.prepare(query),
    batch: (statements) => session.batch(statements),
    exec: (query) => primary.exec(query),
    withSession: (constraint) => primary.withSession(constraint),
    dump: () => primary.dump(),
  };
}
