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

const nextUlid = monotonicFactory();

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
