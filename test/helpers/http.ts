/** Calls the Worker through its real fetch handler, as a client would. */
import { exports } from "cloudflare:workers";

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["Content-Type"] ??= "application/json";
  }
  const response = await exports.default.fetch(
    new Request(`https://api.test${path}`, { method, headers, body }),
  );
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** Expects the documented error envelope with this status and code; returns its details. */
export function expectError(response: ApiResponse, status: number, code: string): Record<string, unknown> {
  const message = `${response.status} ${response.text}`;
  if (response.status !== status) throw new Error(`expected ${status} ${code}, got ${message}`);
  const error = (response.body as { error?: Record<string, unknown> }).error;
  if (!error || error.code !== code) throw new Error(`expected error code ${code}, got ${message}`);
  if (typeof error.message !== "string" || !error.message)
    throw new Error(`error without message: ${message}`);
  if (error.requestId !== response.headers.get("X-Request-Id")) {
    throw new Error(`error requestId does not match X-Request-Id: ${message}`);
  }
  return (error.details as Record<string, unknown>) ?? {};
}
