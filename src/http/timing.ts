/**
 * Owns the per-stage Server-Timing header (auth, guard, body, idempotency, lookups, object
 * call, total) that `npm run bench` reads. Off unless SERVER_TIMING=1: production never sends it.
 * Workers' clocks advance only across I/O, so a stage's figure is its waiting on I/O.
 */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { endTime, startTime, timing } from "hono/timing";
import type { AppEnv } from "./context";

export const serverTiming = timing({
  enabled: (c) => (c.env as AppEnv["Bindings"] | undefined)?.SERVER_TIMING === "1",
  autoEnd: true,
});

/** Wraps a middleware so the time until it hands on (or answers) is one named stage. */
export function timed(stage: string, middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return createMiddleware<AppEnv>(async (c, next) => {
    startTime(c, stage);
    let ended = false;
    const end = () => {
      if (!ended) endTime(c, stage);
      ended = true;
    };
    try {
      return await middleware(c, async () => {
        end();
        await next();
      });
    } finally {
      end();
    }
  });
}

/** Times one awaited step of a handler as a named stage. */
export async function stage<T>(c: Context<AppEnv>, name: string, step: () => Promise<T>): Promise<T> {
  startTime(c, name);
  try {
    return await step();
  } finally {
    endTime(c, name);
  }
}
