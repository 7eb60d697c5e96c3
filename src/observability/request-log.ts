/**
 * Owns the per-request record: exactly one structured log line and one metric data point for
 * every request, whatever it answered. The fields come from the context: the caller (auth),
 * the endpoint class (guard), the error code (error envelope) and the gate's verdict (noted
 * by the route, or by the error envelope for a denial). Never a header value or a body.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../http/context";
import { logLine } from "./log";
import { recordRequestMetric } from "./metrics";

export type GateDecision = "allow" | "queue" | "deny";

/** Routes call this where the gate answered, so the request's log line carries the verdict. */
export function noteVerdict(c: Context<AppEnv>, decision: GateDecision, verdictId: string): void {
  c.set("verdict", { decision, verdictId });
}

/**
 * The route template that answered (`/v1/jobs/:jobId`), never the raw URL: the first matched
 * route registered for a method (middleware is registered for every method), or null when
 * no route matched.
 */
export function routeTemplate(c: Context<AppEnv>): string | null {
  return matchedRoutes(c).find((route) => route.method !== "ALL")?.path ?? null;
}

export const observeRequest = createMiddleware<AppEnv>(async (c, next) => {
  const startedAt = Date.now();
  let threw = false;
  try {
    await next();
  } catch (error) {
    threw = true;
    throw error;
  } finally {
    const caller = c.get("caller");
    const verdict = c.get("verdict");
    const fields = {
      route: routeTemplate(c),
      method: c.req.method,
      status: threw ? 500 : c.res.status,
      durationMs: Date.now() - startedAt,
      organizationId: caller?.organizationId ?? null,
      apiKeyId: caller?.apiKeyId ?? null,
      endpointClass: c.get("endpointClass") ?? null,
      errorCode: c.get("errorCode") ?? null,
      decision: verdict?.decision ?? null,
    };
    logLine({
      level: "info",
      msg: "request",
      requestId: c.get("requestId") ?? null,
      ...fields,
      verdictId: verdict?.verdictId ?? null,
      ...(c.res.headers.get("Idempotent-Replayed") === "true" ? { idempotentReplay: true } : {}),
    });
    recordRequestMetric(c.env?.METRICS, fields);
  }
});
