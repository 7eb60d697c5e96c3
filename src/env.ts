/**
 * The Worker's env and the configuration read from it. Bindings and [vars] are generated from
 * wrangler.toml by `wrangler types` into src/worker-configuration.d.ts (`npm run cf-typegen`;
 * CI fails while it is stale); this module only narrows them and reads configuration.
 * Secrets are all optional and read untyped by src/platforms (see types.env).
 */

import type { DispatchMessage } from "./dispatch/messages";

/** The generated bindings, with the dispatch queue's message type (wrangler cannot know it). */
export type Env = Omit<Cloudflare.Env, "DISPATCH_QUEUE"> & { DISPATCH_QUEUE: Queue<DispatchMessage> };

export interface DispatchConfig {
  backoffBaseSeconds: number;
  maxAttempts: number;
}

export function dispatchConfig(env: Env): DispatchConfig {
  return {
    backoffBaseSeconds: positiveNumber(env.DISPATCH_BACKOFF_BASE_SECONDS, 1),
    maxAttempts: positiveNumber(env.DISPATCH_MAX_ATTEMPTS, 5),
  };
}

function positiveNumber(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
