/** Owns the webhook retry ladder and the classification of an endpoint's answer. Pure. */

/** Production waits after each failed attempt, in seconds: 30 s, 2 min, 10 min, 1 h, 6 h, 24 h. */
export const PRODUCTION_LADDER_SECONDS = [30, 120, 600, 3600, 21_600, 86_400] as const;

/**
 * The wait after failed attempt `attempt` (1-based), in ms, or null when the ladder is
 * spent. `baseSeconds` scales the ladder (30 = production; about 1 in dev and tests, so the
 * ladder is 1 s, 4 s, 20 s, 2 min, 12 min, 48 min); ±20 % jitter spreads retries apart.
 */
export function webhookRetryDelayMs(
  attempt: number,
  baseSeconds: number,
  random: () => number = Math.random,
): number | null {
  const step = PRODUCTION_LADDER_SECONDS[attempt - 1];
  if (step === undefined) return null;
  const scaled = (step * baseSeconds) / PRODUCTION_LADDER_SECONDS[0];
  return Math.round(scaled * 1000 * (0.8 + 0.4 * random()));
}

export type AnswerClass = "delivered" | "retry" | "give_up";

/** 2xx delivered; 4xx other than 408/429 will not get better; anything else (or no answer) is retried. */
export function classifyAnswer(status: number | null): AnswerClass {
  if (status === null) return "retry";
  if (status >= 200 && status < 300) return "delivered";
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return "give_up";
  return "retry";
}

/** Consecutive failed deliveries after which an endpoint is auto-paused. */
export const AUTO_PAUSE_AFTER = 20;
