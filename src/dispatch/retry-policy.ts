/** Exponential backoff with jitter, honouring the platform's retry hint, bounded in attempts. */

export interface RetryPolicy {
  backoffBaseSeconds: number;
  maxAttempts: number;
  /** Longest single wait. */
  maxDelaySeconds?: number;
}

/**
 * Seconds to wait before the next attempt after `attempt` failed, or null when attempts are
 * exhausted. Equal jitter: half the exponential step fixed, half random.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const cap = policy.maxDelaySeconds ?? 300;
  const step = Math.min(cap, policy.backoffBaseSeconds * 2 ** (attempt - 1));
  const jittered = step / 2 + random() * (step / 2);
  const hinted = retryAfterMs !== undefined ? retryAfterMs / 1000 : 0;
  return Math.min(cap, Math.max(1, Math.ceil(Math.max(jittered, hinted))));
}
