/**
 * Owns structured logging: one JSON object per `console.log` line, which Workers Logs
 * indexes field by field. Defensive by construction: fields named like secrets (or like a
 * request body) are dropped at any depth, and string values shaped like one of our API keys,
 * a bearer credential or a JWT are replaced, so a careless caller cannot leak one.
 */

const REDACTED = "[redacted]";
const MAX_DEPTH = 6;

/** Name fragments that mark a field as secret wherever they appear in its name. */
const SECRET_FRAGMENTS = [
  "authorization",
  "token",
  "secret",
  "password",
  "passwd",
  "cookie",
  "credential",
  "privatekey",
  "signature",
  "keymaterial",
];
/** Whole names that carry a payload or raw key rather than metadata about it. */
const SECRET_NAMES = new Set([
  "body",
  "rawbody",
  "requestbody",
  "payload",
  "key",
  "apikey",
  "rawkey",
  "bearer",
]);

/** Our key format (`lp_<env>_<keyId>_<secret>`), a bearer credential, a compact JWS/JWT. */
const SECRET_VALUE_PATTERNS = [
  /lp_(?:live|test)_[A-Za-z0-9_]+/g,
  /Bearer\s+\S+/gi,
  /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

/** Field names already classified: a log line's names repeat from line to line. */
const secretNames = new Map<string, boolean>();

/**
 * Whether a field of this name must never reach a log line. Ids of keys (`apiKeyId`,
 * `keyId`) are metadata and pass; anything else ending in "key" (`idempotencyKey`,
 * `privateKey`, `apiKey`) is treated as key material.
 */
export function isSecretFieldName(name: string): boolean {
  let secret = secretNames.get(name);
  if (secret === undefined) {
    secret = classifyFieldName(name);
    // Field names come from code, so the set stays small; the cap guards against odd callers.
    if (secretNames.size < 1000) secretNames.set(name, secret);
  }
  return secret;
}

function classifyFieldName(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (SECRET_NAMES.has(normalized)) return true;
  if (SECRET_FRAGMENTS.some((fragment) => normalized.includes(fragment))) return true;
  return normalized.endsWith("key");
}

/** A cheap first look: only a string holding one of these can match a pattern above. */
const MAYBE_SECRET = /lp_|bearer|eyJ/i;

function scrubString(value: string): string {
  if (!MAYBE_SECRET.test(value)) return value;
  let scrubbed = value;
  for (const pattern of SECRET_VALUE_PATTERNS) scrubbed = scrubbed.replace(pattern, REDACTED);
  return scrubbed;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return scrubString(value);
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") {
    return typeof value === "function" || typeof value === "symbol" ? undefined : value;
  }
  if (seen.has(value) || depth >= MAX_DEPTH) return "[omitted]";
  seen.add(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Error) {
    return { name: value.name, message: scrubString(value.message) };
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (isSecretFieldName(name)) continue;
    const scrubbed = scrub(field, depth + 1, seen);
    if (scrubbed !== undefined) out[name] = scrubbed;
  }
  return out;
}

/** The line `logLine` would print for these fields, without printing it. */
export function formatLogLine(fields: Record<string, unknown>): string {
  return JSON.stringify(scrub(fields, 0, new WeakSet()));
}

/** Prints one structured log line. Never throws: logging must not break a request. */
export function logLine(fields: Record<string, unknown>): void {
  try {
    console.log(formatLogLine(fields));
  } catch (error) {
    console.log(JSON.stringify({ level: "error", msg: "unloggable fields", error: String(error) }));
  }
}
