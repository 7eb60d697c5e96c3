/** Turns every failure into the documented envelope; unexpected ones become a logged 500. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { formatLogLine } from "../observability/log";
import { notJsonContentType } from "./body";
import type { AppEnv } from "./context";
import { DryRunAnswer } from "./dry-run";
import { ApiError, validationError } from "./errors";

export function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  const requestId = c.get("requestId") ?? "req_unknown";
  c.set("errorCode", error.code);
  // A gate denial carries its verdict; the request's log line reports it.
  const verdictId = error.details?.verdictId;
  if (error.code === "AUTHORITY_DENIED" && typeof verdictId === "string") {
    c.set("verdict", { decision: "deny", verdictId });
  }
  const body = {
    error: {
      code: error.code,
      message: error.message,
      requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  };
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  c.header("X-Request-Id", requestId);
  return c.json(body, error.status);
}

export function onError(error: unknown, c: Context<AppEnv>): Response {
  // Not a failure: a dry run's decision, thrown once judged so nothing after it runs.
  if (error instanceof DryRunAnswer) return error.respond(c);
  if (error instanceof ApiError) return errorResponse(c, error);
  if (error instanceof HTTPException && error.status === 400) {
    return errorResponse(c, validationError([{ location: "body", path: "", message: error.message }], 400));
  }
  // The route validators refuse a body route's non-JSON Content-Type (even with an empty body).
  if (error instanceof HTTPException && error.status === 415) return errorResponse(c, notJsonContentType());
  // console.error (Workers Logs level "error"), through the same scrubbing as logLine.
  console.error(
    formatLogLine({
      level: "error",
      msg: "unexpected error",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack ?? null }
          : String(error),
    }),
  );
  return errorResponse(
    c,
    new ApiError("INTERNAL", "Something went wrong on our side. Quote the request id to support."),
  );
}

export function onNotFound(c: Context<AppEnv>): Response {
  return errorResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`));
}
