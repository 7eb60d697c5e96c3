/**
 * The sliding-window counter behind the per-key rate limits (SPEC §5): table-driven cases for
 * each branch of `takeFromWindow`, then properties over arbitrary request streams.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ENDPOINT_CLASSES,
  RATE_LIMIT_TIERS,
  type RateDecision,
  REQUESTS_PER_MINUTE,
  takeFromWindow,
  WINDOW_MS,
  type WindowState,
} from "../../src/domain/rate-limits";

/** A window start aligned to the minute, like the key guard object creates them. */
const T0 = 1_700_000_040_000;
const fresh = (windowStart = T0): WindowState => ({ windowStart, current: 0, previous: 0 });

/** Takes `n` requests at `now`, returning every decision. */
function takeMany(state: WindowState, limit: number, now: number, n: number): RateDecision[] {
  return Array.from({ length: n }, () => takeFromWindow(state, limit, now));
}

/** A small seeded PRNG, so a steady stream's jitter is reproducible from the property's seed. */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs a stream of timestamps through one window state; returns the admitted timestamps. */
function admitted(limit: number, times: readonly number[]): number[] {
  const first = times[0] ?? T0;
  const state = fresh(first - (first % WINDOW_MS));
  return times.filter((t) => takeFromWindow(state, limit, t).allowed);
}

describe("rate-limit tiers", () => {
  it("match SPEC §5 per tier and endpoint class", () => {
    expect(REQUESTS_PER_MINUTE).toEqual({
      standard: { read: 120, write: 60, long_running: 20 },
      pilot: { read: 1200, write: 600, long_running: 60 },
      partner: { read: 6000, write: 3000, long_running: 300 },
    });
    expect([...RATE_LIMIT_TIERS]).toEqual(["standard", "pilot", "partner"]);
    expect([...ENDPOINT_CLASSES]).toEqual(["read", "write", "long_running"]);
    expect(WINDOW_MS).toBe(60_000);
  });
});

describe("takeFromWindow", () => {
  it.each([
    // [label, limit, offset into the window (ms), expected remaining after the first request]
    ["at the start of the window", 120, 0, 119],
    ["in the middle of the window", 60, 30_000, 59],
    ["just before the window ends", 20, 59_999, 19],
    ["with a limit of one", 1, 10, 0],
  ])("admits the first request of a fresh window %s", (_label, limit, offset, remaining) => {
    const state = fresh();
    const decision = takeFromWindow(state, limit, T0 + offset);
    expect(decision).toEqual({
      allowed: true,
      limit,
      remaining,
      resetAt: (T0 + WINDOW_MS) / 1000,
      retryAfterSeconds: 0,
    });
    expect(state).toEqual({ windowStart: T0, current: 1, previous: 0 });
  });

  it.each([1, 2, 20, 60, 120])("admits exactly %i requests in a fresh window, then refuses", (limit) => {
    const state = fresh();
    const now = T0 + 15_000;
    const decisions = takeMany(state, limit, now, limit + 3);
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(limit);
    // Remaining counts down to zero, one per admitted request.
    expect(allowed.map((d) => d.remaining)).toEqual(Array.from({ length: limit }, (_, i) => limit - 1 - i));
    for (const refused of decisions.slice(limit)) {
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.limit).toBe(limit);
      // Nothing slides out of this window: wait for it to end (45 s), then until this window's
      // count, now the falling previous weight, leaves room for one (WINDOW / limit).
      expect(refused.retryAfterSeconds).toBe(Math.ceil((45_000 + WINDOW_MS / limit) / 1000));
    }
    // Refusals are not counted.
    expect(state.current).toBe(limit);
  });

  it.each([
    // [label, previous count, offset into the current window, limit, admitted in the current window]
    ["a full previous window at the start blocks everything", 10, 0, 10, 0],
    ["a full previous window half-overlapping leaves half", 10, 30_000, 10, 5],
    ["a full previous window a quarter-overlapping leaves three quarters", 100, 45_000, 100, 75],
    ["a half-full previous window half-overlapping leaves three quarters", 60, 30_000, 120, 90],
    ["an empty previous window leaves the whole limit", 0, 1, 120, 120],
    ["a previous window just about to slide out leaves limit - 1", 120, 59_999, 120, 119],
  ])("weights the previous window by its overlap: %s", (_label, previous, offset, limit, expected) => {
    const state: WindowState = { windowStart: T0, current: 0, previous };
    const decisions = takeMany(state, limit, T0 + offset, limit + 5);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(expected);
    // The first refusal says how long until the weighted count lets one more in.
    const refusal = decisions.find((d) => !d.allowed);
    expect(refusal?.remaining).toBe(0);
  });

  it("reports remaining from the weighted count, rounded down", () => {
    // previous 10 at 25 % overlap = 2.5 requests still counted.
    const state: WindowState = { windowStart: T0, current: 0, previous: 10 };
    expect(takeFromWindow(state, 10, T0 + 45_000).remaining).toBe(6); // 10 - 2.5 - 1 = 6.5
    expect(takeFromWindow(state, 10, T0 + 45_000).remaining).toBe(5);
  });

  it.each([
    // [label, state, limit, now, retryAfterSeconds]
    [
      "waits until enough of the previous window slid out",
      { windowStart: T0, current: 5, previous: 10 },
      10,
      T0 + 30_000,
      6, // needs 1 of the 5 weighted requests gone: 1/10 of a window
    ],
    [
      "rounds a 1 ms wait up to one second",
      { windowStart: T0, current: 4, previous: 10 },
      10,
      T0 + 29_999, // 10 × (1 − 29 999/60 000) + 4 + 1 exceeds 10 by 1/6000: 1 ms to wait
      1,
    ],
    [
      "never answers zero, even on the last millisecond of a window",
      { windowStart: T0, current: 10, previous: 0 },
      10,
      T0 + WINDOW_MS - 1,
      // 1 ms to the window's end, then 6 s until 10 × (1 − t/60 s) + 1 ≤ 10.
      7,
    ],
    [
      "waits past the window's end until the full window's weight leaves room for one",
      { windowStart: T0, current: 20, previous: 0 },
      20,
      T0 + 10_000,
      53,
    ],
  ])("computes Retry-After: %s", (_label, state, limit, now, retryAfter) => {
    const decision = takeFromWindow({ ...state }, limit, now);
    expect(decision.allowed).toBe(false);
    expect(decision.retryAfterSeconds).toBe(retryAfter);
    expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(decision.retryAfterSeconds)).toBe(true);
  });

  it.each([
    // [label, offset of the next request, expected previous, expected window start offset]
    ["exactly one window later carries the count over", WINDOW_MS, 7, WINDOW_MS],
    ["late in the next window still carries the count over", 2 * WINDOW_MS - 1, 7, WINDOW_MS],
    ["two windows later forgets it", 2 * WINDOW_MS, 0, 2 * WINDOW_MS],
    ["long after forgets it and realigns to the minute", 10 * WINDOW_MS + 12_345, 0, 10 * WINDOW_MS],
  ])("rolls the window over: %s", (_label, offset, previous, startOffset) => {
    const state = fresh();
    takeMany(state, 100, T0 + 5_000, 7);
    const decision = takeFromWindow(state, 100, T0 + offset);
    expect(decision.allowed).toBe(true);
    expect(state).toEqual({ windowStart: T0 + startOffset, current: 1, previous });
    expect(decision.resetAt).toBe((T0 + startOffset + WINDOW_MS) / 1000);
  });

  it("admits a full limit again once a full window has passed after exhaustion", () => {
    const state = fresh();
    expect(takeMany(state, 20, T0, 25).filter((d) => d.allowed)).toHaveLength(20);
    const later = takeMany(state, 20, T0 + 2 * WINDOW_MS + 1, 25);
    expect(later.filter((d) => d.allowed)).toHaveLength(20);
  });

  it("honours its own Retry-After when the current window alone is full (SPEC §5: Retry-After)", () => {
    // Minimal reproduction: 10 requests in the last second of a window with nothing before it.
    const state = fresh();
    const exhaustedAt = T0 + 59_000;
    expect(takeMany(state, 10, exhaustedAt, 10).every((d) => d.allowed)).toBe(true);
    const refusal = takeFromWindow(state, 10, exhaustedAt);
    expect(refusal.allowed).toBe(false);
    // A client that waits exactly what it was told must be admitted.
    const retry = takeFromWindow(state, 10, exhaustedAt + refusal.retryAfterSeconds * 1000);
    expect(
      retry.allowed,
      `refused again after waiting Retry-After=${refusal.retryAfterSeconds}s: ${JSON.stringify(retry)}`,
    ).toBe(true);
  });
});

describe("takeFromWindow properties", () => {
  const limitArb = fc.oneof(fc.constantFrom(20, 60, 120, 300), fc.integer({ min: 1, max: 200 }));
  /** Monotonic timestamps: a start anywhere in a minute, then gaps from bursts to long pauses. */
  const streamArb = fc
    .tuple(
      fc.integer({ min: 0, max: WINDOW_MS - 1 }),
      fc.array(
        fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: 0, max: 50 }) },
          { weight: 3, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 * WINDOW_MS }) },
        ),
        { minLength: 1, maxLength: 600 },
      ),
    )
    .map(([start, gaps]) => {
      let t = T0 + start;
      return gaps.map((gap) => {
        t += gap;
        return t;
      });
    });

  it("never admits more than 2 × limit within any 60 s span, nor more than limit per window", () => {
    fc.assert(
      fc.property(limitArb, streamArb, (limit, times) => {
        const allowed = admitted(limit, times);
        let j = 0;
        for (let i = 0; i < allowed.length; i++) {
          while ((allowed[j] ?? 0) <= (allowed[i] ?? 0) - WINDOW_MS) j++;
          const inSpan = i - j + 1;
          if (inSpan > 2 * limit) return false;
        }
        const perWindow = new Map<number, number>();
        for (const t of allowed) {
          const w = Math.floor(t / WINDOW_MS);
          perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
        }
        return [...perWindow.values()].every((n) => n <= limit);
      }),
      { numRuns: 300 },
    );
  });

  it("answers consistently: remaining within [0, limit), Retry-After ≥ 1 only on refusals", () => {
    fc.assert(
      fc.property(limitArb, streamArb, (limit, times) => {
        const first = times[0] ?? T0;
        const state = fresh(first - (first % WINDOW_MS));
        for (const now of times) {
          const d = takeFromWindow(state, limit, now);
          if (d.limit !== limit || d.remaining < 0 || d.remaining >= limit) return false;
          if (!Number.isInteger(d.remaining) || !Number.isInteger(d.retryAfterSeconds)) return false;
          if (d.allowed ? d.retryAfterSeconds !== 0 : d.retryAfterSeconds < 1 || d.remaining !== 0)
            return false;
          // resetAt is the end of the window `now` falls in, in Unix seconds.
          if (d.resetAt * 1000 <= now || d.resetAt * 1000 > now + WINDOW_MS + 1000) return false;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("converges to the limit under a long steady stream that offers more than it allows", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(20, 60, 120, 300, 600), fc.integer({ min: 2, max: 400 })),
        fc.integer({ min: 0, max: WINDOW_MS - 1 }),
        fc.integer(),
        (limit, start, seed) => {
          // Every gap is at most half a window's share per allowed request: ≥ 2 × limit offered.
          const maxGap = Math.floor(WINDOW_MS / (2 * limit));
          const random = mulberry32(seed);
          const times: number[] = [];
          let t = T0 + start;
          for (let i = 0; i < 80 * limit + 10; i++) {
            t += 1 + Math.floor(random() * maxGap);
            times.push(t);
          }
          const last = times.at(-1) ?? t;
          const firstWindow = Math.floor((T0 + start) / WINDOW_MS);
          const lastWindow = Math.floor(last / WINDOW_MS);
          // Steady state: skip the first window, and the last (partially offered) one.
          const counted = admitted(limit, times).filter((a) => {
            const w = Math.floor(a / WINDOW_MS);
            return w > firstWindow && w < lastWindow;
          });
          const windows = lastWindow - firstWindow - 1;
          if (windows < 5) return true;
          const perMinute = counted.length / windows;
          // Within one request per minute of the limit, never above it.
          return perMinute <= limit && perMinute >= limit - 1;
        },
      ),
      { numRuns: 60 },
    );
  });

  it("admits a client that waits the Retry-After it was given", () => {
    fc.assert(
      fc.property(limitArb, streamArb, (limit, times) => {
        const first = times[0] ?? T0;
        const state = fresh(first - (first % WINDOW_MS));
        for (const now of times) {
          const d = takeFromWindow(state, limit, now);
          if (d.allowed) continue;
          const probe = { ...state };
          const retry = takeFromWindow(probe, limit, now + d.retryAfterSeconds * 1000);
          if (!retry.allowed) {
            throw new Error(
              `limit ${limit}: refused at +${now - state.windowStart} ms into a window with ${JSON.stringify(state)}; Retry-After ${d.retryAfterSeconds}s, then refused again`,
            );
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
