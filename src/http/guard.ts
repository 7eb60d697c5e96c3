/**
 * Per-route admission, in order: the key's revocation (401) and kill flag (503), its rate
 * limit for the route's endpoint class (429), then the route's scope (403). Declared by each
 * route (see route.ts). Every answer, refusals included, carries the X-RateLimit-* headers.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { type EndpointClass, type RateDecision, REQUESTS_PER_MINUTE } from "../domain/rate-limits";
import { keyGuard } from "../objects/key-guard";
import { recheckCredential } from "./auth";
import type { AppEnv } from "./context";
import { ApiError } from "./errors";

/**
 * A scope the key must hold; alternatives are listed, `prefix:*` accepts any scope under it,
 * and an empty list admits any valid key.
 */
/** A row read this soon after a rotation may predate its D1 copy: re-read those too. */
const ROTATION_SETTLE_MS = 5_000;

export type ScopeRequirement = string | readonly string[];

export function hasScope(granted: readonly string[], required: ScopeRequirement): boolean {
  const alternatives = typeof required === "string" ? [required] : required;
  if (alternatives.length === 0 || granted.includes("*")) return true;
  return alternatives.some((scope) =>
    scope.endsWith(":*") ? granted.some((g) => g.startsWith(scope.slice(0, -1))) : granted.includes(scope),
  );
}

/** Sets the limit headers; they are kept for responses built outside `c` (idempotent replays). */
export function setRateLimitHeaders(
  c: Context<AppEnv>,
  decision: RateDecision,
  endpointClass: EndpointClass,
) {
  const headers = {
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(decision.resetAt),
    "X-RateLimit-Endpoint-Class": endpointClass,
  };
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  c.set("rateLimitHeaders", headers);
}

export function rateLimited(decision: RateDecision, endpointClass: EndpointClass): ApiError {
  return new ApiError(
    "RATE_LIMITED",
    `Rate limit of ${decision.limit} ${endpointClass} requests per minute exceeded.`,
    { endpointClass, limit: decision.limit, retryAfterSeconds: decision.retryAfterSeconds },
    { headers: { "Retry-After": String(decision.retryAfterSeconds) } },
  );
}

export function guard(scope: ScopeRequirement, endpointClass: EndpointClass) {
  const requiredScope = typeof scope === "string" ? scope : scope.join(" | ");
  return createMiddleware<AppEnv>(async (c, next) => {
    const caller = c.get("caller");
    c.set("endpointClass", endpointClass);
    const limit = REQUESTS_PER_MINUTE[caller.rateLimitTier][endpointClass];
    const admission = await keyGuard(c.env, caller.apiKeyId).admit(endpointClass, limit, caller.apiKeyId);
    if (admission.status === "revoked") {
      setRateLimitHeaders(c, admission.rate, endpointClass);
      throw new ApiError("UNAUTHENTICATED", "This API key has been revoked.");
    }
    if (admission.status === "killed") {
      setRateLimitHeaders(c, admission.rate, endpointClass);
      throw new ApiError("KILL_SWITCH", "This API key has been switched off by its kill switch.", {
        scope: "key",
      });
    }
    setRateLimitHeaders(c, admission, endpointClass);
    if (!admission.allowed) throw rateLimited(admission, endpointClass);
    const credential = c.get("credential");
    if (
      admission.credentialsChangedAt !== null &&
      credential &&
      credential.rowFetchedAt <= admission.credentialsChangedAt + ROTATION_SETTLE_MS
    ) {
      await recheckCredential(c);
    }
    if (!hasScope(caller.scopes, scope)) {
      throw new ApiError("FORBIDDEN_SCOPE", `This API key lacks the scope ${requiredScope}.`, {
        requiredScope,
      });
    }
    await next();
  });
}
