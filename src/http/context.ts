/** What middleware puts on the request context for handlers to use. */
import type { TimingVariables } from "hono/timing";
import type { ActorType } from "../domain/authority";
import type { RateLimitTier } from "../domain/rate-limits";
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
  } & TimingVariables;
}
