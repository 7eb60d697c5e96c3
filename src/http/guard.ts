/**
 * Per-route admission, in order: the key's kill flag (503), its rate limit for the route's
 * endpoint class (429), then the route's scope (403). Declared by each route (see route.ts).
 */
import { createMiddleware } from "hono/factory";
import { type EndpointClass, REQUESTS_PER_MINUTE } from "../domain/rate-limits";
import { keyGuard } from "../objects/key-guard";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/**
 * A scope the key must hold; alternatives are listed, `prefix:*` accepts any scope under it,
 * and an empty list admits any valid key.
 */
export type ScopeRequirement = string | readonly string[];

export function hasScope(granted: readonly string[], required: ScopeRequirement): boolean {
  const alternatives = typeof required === "string" ? [required] : required;
  if (alternatives.length === 0 || granted.includes("*")) return true;
  return alternatives.some((scope) =>
    scope.endsWith(":*") ? granted.some((g) => g.startsWith(scope.slice(0, -1))) : granted.includes(scope),
  );
}

export function guard(scope: ScopeRequirement, endpointClass: EndpointClass) {
  const requiredScope = typeof scope === "string" ? scope : scope.join(" | ");
  return createMiddleware<AppEnv>(async (c, next) => {
    const caller = c.get("caller");
    c.set("endpointClass", endpointClass);
    const limit = REQUESTS_PER_MINUTE[caller.rateLimitTier][endpointClass];
    const admission = await keyGuard(c.env, caller.apiKeyId).admit(endpointClass, limit);
    if (admission.killed) {
      throw new ApiError("KILL_SWITCH", "This API key has been switched off by its kill switch.", {
        scope: "key",
      });
    }
    c.header("X-RateLimit-Limit", String(admission.limit));
    c.header("X-RateLimit-Remaining", String(admission.remaining));
    c.header("X-RateLimit-Reset", String(admission.resetAt));
    c.header("X-RateLimit-Endpoint-Class", endpointClass);
    if (!admission.allowed) {
      throw new ApiError(
        "RATE_LIMITED",
        `Rate limit of ${admission.limit} ${endpointClass} requests per minute exceeded.`,
        { endpointClass, limit: admission.limit, retryAfterSeconds: admission.retryAfterSeconds },
        { headers: { "Retry-After": String(admission.retryAfterSeconds) } },
      );
    }
    if (!hasScope(caller.scopes, scope)) {
      throw new ApiError("FORBIDDEN_SCOPE", `This API key lacks the scope ${requiredScope}.`, {
        requiredScope,
      });
    }
    await next();
  });
}
