/**
 * The error contract: one class, one code → status table used both at runtime and in the
 * OpenAPI document, one envelope shape.
 */
import { z } from "@hono/zod-openapi";

export const ERROR_STATUS = {
  UNAUTHENTICATED: 401,
  FORBIDDEN_SCOPE: 403,
  AUTHORITY_DENIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  WOULD_LEAVE_ADSET_EMPTY: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  KILL_SWITCH: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode] | 400;

export class ApiError extends Error {
  readonly status: ErrorStatus;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options: { status?: ErrorStatus; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = options.status ?? ERROR_STATUS[code];
    this.headers = options.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export const notFound = (what = "Resource") => new ApiError("NOT_FOUND", `${what} not found.`);

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      requestId: z.string().openapi({ example: "req_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi("Error");

export interface ValidationIssue {
  location: "body" | "query" | "header";
  path: string;
  message: string;
}

export function validationError(issues: ValidationIssue[], status: 400 | 422 = 422): ApiError {
  const message =
    status === 400
      ? (issues[0]?.message ?? "The request body is not valid JSON.")
      : `The request has ${issues.length} invalid field${issues.length === 1 ? "" : "s"}.`;
  return new ApiError("VALIDATION", message, { issues }, { status });
}

interface SchemaIssue {
  code?: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

/** A schema's issues as ours: dotted paths, one issue per unknown field. */
export function schemaIssues(
  issues: readonly SchemaIssue[],
  location: ValidationIssue["location"],
): ValidationIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys" && issue.keys?.length) {
      return issue.keys.map((key) => ({
        location,
        path: [...path, key].join("."),
        message: "Unknown field.",
      }));
    }
    return [{ location, path: path.join("."), message: issue.message }];
  });
}
