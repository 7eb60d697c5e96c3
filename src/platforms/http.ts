import { MoneyConversionError } from "../domain/money";
import type { PlatformResult } from "./types";

export type PlatformFailureResult = Extract<PlatformResult, { ok: false }>;

/**
 * Raised inside an adapter to end the operation with a failed result; `execute()` turns it back
 * into a return value, so platform behaviour never escapes as an exception.
 */
export class PlatformFailure extends Error {
  override readonly name = "PlatformFailure";
  constructor(readonly result: PlatformFailureResult) {
    super(result.message);
  }
}

export function transientFailure(
  message: string,
  details: { platformCode?: string; retryAfterMs?: number } = {},
): PlatformFailureResult {
  return { ok: false, kind: "transient", message, ...withoutUndefined(details) };
}

export function rejectedFailure(message: string, platformCode?: string): PlatformFailureResult {
  return platformCode === undefined
    ? { ok: false, kind: "rejected", message }
    : { ok: false, kind: "rejected", message, platformCode };
}

export function authFailure(
  message: string,
  tokenStatus: "expired" | "revoked",
  platformCode?: string,
): PlatformFailureResult {
  return {
    ok: false,
    kind: "auth",
    message,
    tokenStatus,
    ...(platformCode === undefined ? {} : { platformCode }),
  };
}

/**
 * Local refusals use these codes in `platformCode`, next to the platforms' own: the request
 * never left (or could not be built) for a reason a retry will not fix.
 */
export const LOCAL_CODES = {
  notConfigured: "NOT_CONFIGURED",
  invalidAmount: "INVALID_AMOUNT",
  invalidRequest: "INVALID_REQUEST",
} as const;

export function notConfigured(platformLabel: string, missing: string): PlatformFailureResult {
  return rejectedFailure(
    `${platformLabel} is not configured: ${missing} is missing`,
    LOCAL_CODES.notConfigured,
  );
}

/** Runs an adapter body, mapping the expected failure exceptions to results. */
export async function settle(run: () => Promise<PlatformResult>): Promise<PlatformResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PlatformFailure) return error.result;
    if (error instanceof MoneyConversionError) {
      return rejectedFailure(error.message, LOCAL_CODES.invalidAmount);
    }
    throw error;
  }
}

export interface PlatformResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
}

/**
 * One HTTP exchange with a platform, bounded by `timeoutMs` (body included). Timeouts and
 * network errors become transient failures: the platform may or may not have acted, and every
 * adapter's retry path is safe against that.
 */
export async function sendPlatformRequest(
  platformLabel: string,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<PlatformResponse> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text) };
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new PlatformFailure(transientFailure(`${platformLabel} did not answer within ${timeoutMs} ms`));
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new PlatformFailure(transientFailure(`Could not reach ${platformLabel}: ${reason}`));
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // A non-JSON body (an HTML error page from a proxy) carries nothing we can classify.
    return undefined;
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringField(record: unknown, key: string): string | undefined {
  if (!isRecord(record)) return undefined;
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

/** A platform id that JSON may carry as a string or a number. */
export function idField(record: unknown, key: string): string | undefined {
  if (!isRecord(record)) return undefined;
  const value = record[key];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** SHA-256 of a UTF-8 string. */
export async function sha256(input: string): Promise<Uint8Array> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input));
  return new Uint8Array(digest);
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
