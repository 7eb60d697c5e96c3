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
