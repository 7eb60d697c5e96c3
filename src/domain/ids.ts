/** Public ids: a type prefix and a ULID, opaque to clients. */
import { decodeTime, monotonicFactory } from "ulidx";

export const ID_PREFIXES = {
  organization: "org",
  project: "prj",
  layer: "lyr",
  adAccount: "aa",
  campaign: "cmp",
  adset: "adg",
  ad: "ad",
  job: "job",
  verdict: "ver",
  apiKey: "key",
  pendingAction: "pa",
  request: "req",
  event: "evt",
  creative: "adc",
  keyword: "kw",
  webhookEndpoint: "whe",
  webhookDelivery: "whd",
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

/**
 * ulidx's own generator asks `crypto.getRandomValues` for one byte per character; this one
 * hands it the same CSPRNG's bytes from a pooled buffer, refilled 512 bytes at a time.
 */
const pool = new Uint8Array(512);
let poolAt = pool.length;
function pooledRandom(): number {
  if (poolAt >= pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  // [0, 1): ulidx maps it onto the 32 Crockford characters without bias (256 / 32 = 8).
  return (pool[poolAt++] as number) / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${nextUlid()}`;
}

const ULID = "[0-9A-HJKMNP-TV-Z]{26}";
const patterns = Object.fromEntries(
  Object.entries(ID_PREFIXES).map(([kind, prefix]) => [kind, new RegExp(`^${prefix}_${ULID}$`)]),
) as Record<IdKind, RegExp>;

/** Whether `value` is a well-formed id of that kind (malformed ids answer 404, never 500). */
export function isId(kind: IdKind, value: string): boolean {
  return patterns[kind].test(value);
}

/** When an id was minted (its ULID's timestamp), or null for an id that is not ours. */
export function idTime(id: string): number | null {
  const ulid = id.slice(id.indexOf("_") + 1);
  try {
    return decodeTime(ulid);
  } catch {
    return null;
  }
}
