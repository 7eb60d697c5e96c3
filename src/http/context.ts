/** What middleware puts on the request context for handlers to use. */
import type { TimingVariables } from "hono/timing";
import type { ActorType } from "../domain/authority";
import type { EndpointClass, RateLimitTier } from "../domain/rate-limits";
import type { Env } from "../env";

export interface Caller {
  apiKeyId: string;
  organizationId: string;
  organizationName: string;
  actorType: ActorType;
  scopes: string[];
  rateLimitTier: RateLimitTier;
  env: "live" | "test";
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    caller: Caller;
    /** Set by the guard: the route's rate-limit class, for the request's log line. */
    endpointClass?: EndpointClass;
    /** Set by the error envelope: the code the request failed with. */
    errorCode?: string;
    /** The gate's verdict on this request, when there was one (see observability/request-log.ts). */
    verdict?: { decision: "allow" | "queue" | "deny"; verdictId: string };
    /** The presented credential and when its row was read, for a re-check after a rotation. */
    credential?: { keyId: string; env: string; secretHash: string; rowFetchedAt: number };
    /** The X-RateLimit-* headers of this request, once admission has decided them. */
    rateLimitHeaders?: Record<string, string>;
    /** Set by routes whose answer holds a secret: idempotency stores no replay of it. */
    secretInResponse?: { apiKeyId: string };
    /** Set by `dryRunFlag` for `?dryRun=true` on a gated write (see http/dry-run.ts). */
    dryRun?: boolean;
  } & TimingVariables;
}
