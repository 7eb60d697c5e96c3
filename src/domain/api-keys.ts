/** API key strings: `lp_<env>_<keyId>_<secret>`, the secret 256 bits of hex. */
import { isId } from "./ids";

export const KEY_ENVS = ["live", "test"] as const;
export type KeyEnv = (typeof KEY_ENVS)[number];

export interface ParsedKey {
  env: KeyEnv;
  keyId: string;
  secret: string;
}

const KEY_PATTERN = /^lp_(live|test)_(key_[0-9A-Z]{26})_([0-9a-f]{64})$/;

export function parseApiKey(raw: string): ParsedKey | null {
  const match = KEY_PATTERN.exec(raw);
  if (!match) return null;
  const [, env, keyId, secret] = match;
  if (!env || !keyId || !secret || !isId("apiKey", keyId)) return null;
  return { env: env as KeyEnv, keyId, secret };
}

export function formatApiKey(env: KeyEnv, keyId: string, secret: string): string {
  return `lp_${env}_${keyId}_${secret}`;
}

export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time equality of two strings of hex digests. */
export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What a listing shows of a key: its non-secret prefix (`lp_<env>_<keyId>`). */
export function keyPrefix(env: string, keyId: string): string {
  return `lp_${env}_${keyId}`;
}

export const KEY_SCOPES = [
  "ads:read",
  "ads:write:campaigns",
  "ads:write:budgets",
  "ads:write:lifecycle",
  "ads:write:targeting",
  "ads:write:creative",
  "ads:write:connect",
  "ads:write:policy",
  "ads:write:pending",
  "jobs:read",
  "audit:read",
  "webhooks:read",
  "webhooks:write",
  "keys:write",
] as const;

const TIER_RANK: Record<string, number> = { standard: 0, pilot: 1, partner: 2 };

/** Requested scopes the granting key does not hold itself (`*` only from `*`). */
export function scopesBeyond(granted: readonly string[], requested: readonly string[]): string[] {
  if (granted.includes("*")) return [];
  return requested.filter((scope) => !granted.includes(scope));
}

export function tierWithin(granted: string, requested: string): boolean {
  return (TIER_RANK[requested] ?? Number.POSITIVE_INFINITY) <= (TIER_RANK[granted] ?? -1);
}

/** Rotation grace: 24 hours unless asked, at most 7 days. */
export const DEFAULT_GRACE_SECONDS = 24 * 3600;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
