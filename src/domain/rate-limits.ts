/** Rate-limit tiers (SPEC §5) and the sliding-window counter that enforces them. */
export const ENDPOINT_CLASSES = ["read", "write", "long_running"] as const;
export type EndpointClass = (typeof ENDPOINT_CLASSES)[number];

export const RATE_LIMIT_TIERS = ["standard", "pilot", "partner"] as const;
export type RateLimitTier = (typeof RATE_LIMIT_TIERS)[number];

/** Requests per minute, by tier and endpoint class. */
export const REQUESTS_PER_MINUTE: Record<RateLimitTier, Record<EndpointClass, number>> = {
  standard: { read: 120, write: 60, long_running: 20 },
  pilot: { read: 1200, write: 600, long_running: 60 },
  partner: { read: 6000, write: 3000, long_running: 300 },
};

/**
 * Failed authentications per minute under one presented key id (or one client address when
 * no key id parses): counted apart from the key's own limit, so forged secrets cannot spend it.
 */
export const FAILED_AUTH_PER_MINUTE: Record<EndpointClass, number> = REQUESTS_PER_MINUTE.partner;

export const WINDOW_MS = 60_000;

export interface WindowState {
  windowStart: number;
  current: number;
  previous: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds at which the current window ends. */
  resetAt: number;
  /** Seconds to wait before retrying, when refused. */
  retryAfterSeconds: number;
}

/**
 * Sliding-window counter: the previous window's count weighted by how much of it still
 * overlaps the last minute, plus the current window's count. Mutates `state`.
 */
export function takeFromWindow(state: WindowState, limit: number, now: number): RateDecision {
  const elapsedWindows = Math.floor((now - state.windowStart) / WINDOW_MS);
  if (elapsedWindows >= 1) {
    state.previous = elapsedWindows === 1 ? state.current : 0;
    state.current = 0;
    state.windowStart += elapsedWindows * WINDOW_MS;
  }
  const overlap = 1 - (now - state.windowStart) / WINDOW_MS;
  const used = state.previous * overlap + state.current;
  const resetAt = Math.ceil((state.windowStart + WINDOW_MS) / 1000);
  if (used + 1 > limit) {
    const waitMs = waitUntilOneFits(state, limit, now);
    return {
      allowed: false,
      limit,
      remaining: 0,
      resetAt,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    };
  }
  state.current += 1;
  return {
    allowed: true,
    limit,
    remaining: Math.max(0, Math.floor(limit - used - 1)),
    resetAt,
    retryAfterSeconds: 0,
  };
}

/**
 * How long until one more request fits: the previous window's weight falls linearly as the
 * current window ages; once it rolls over, this window's count becomes the falling weight.
 */
function waitUntilOneFits(state: WindowState, limit: number, now: number): number {
  const elapsed = now - state.windowStart;
  const room = limit - 1 - state.current;
  if (room >= 0 && state.previous > 0) {
    // Fits within this window once previous * (1 - t / WINDOW) <= room.
    const at = WINDOW_MS * (1 - room / state.previous);
    if (at < WINDOW_MS) return Math.max(0, at - elapsed);
  }
  const intoNext = state.current > 0 ? Math.max(0, WINDOW_MS * (1 - (limit - 1) / state.current)) : 0;
  return WINDOW_MS - elapsed + intoNext;
}
