/**
 * Route declarations: every operation states its scope and endpoint class here, and gets
 * the guard, idempotency (for writes) and its documented error responses from one place.
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { EndpointClass } from "../domain/rate-limits";
import { jsonBody } from "./body";
import { dryRunFlag, withDryRun } from "./dry-run";
import { ERROR_STATUS, type ErrorCode, ErrorEnvelopeSchema } from "./errors";
import { guard, type ScopeRequirement } from "./guard";
import { idempotency } from "./idempotency";
import { noteMintedIds } from "./minted";
import { timed } from "./timing";

interface Access {
  scope: ScopeRequirement;
  endpointClass: EndpointClass;
  /** Error codes this route can answer beyond those every authenticated route can. */
  errors?: ErrorCode[];
  /** A gated write: `?dryRun=true` judges it and answers the decision (see http/dry-run.ts). */
  dryRun?: boolean;
}

const ALWAYS: ErrorCode[] = ["UNAUTHENTICATED", "FORBIDDEN_SCOPE", "RATE_LIMITED", "INTERNAL", "KILL_SWITCH"];
const FOR_WRITES: ErrorCode[] = ["VALIDATION", "IDEMPOTENCY_CONFLICT", "CONFLICT", "PAYLOAD_TOO_LARGE"];

export function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  if (codes.includes("VALIDATION")) byStatus.set(400, ["VALIDATION"]);
  return Object.fromEntries(
    [...byStatus.entries()].map(([status, list]) => [
      String(status),
      {
        description: status === 400 ? "VALIDATION: the body is not JSON at all." : list.join(" | "),
        content: { "application/json": { schema: ErrorEnvelopeSchema } },
      },
    ]),
  );
}

/** Endpoint class by "METHOD /hono/:path", so authentication can answer with the route's limit headers. */
const ENDPOINT_CLASS_BY_ROUTE = new Map<string, EndpointClass>();

export function endpointClassOf(method: string, honoPath: string): EndpointClass | undefined {
  return ENDPOINT_CLASS_BY_ROUTE.get(`${method.toUpperCase()} ${honoPath}`);
}

export function defineRoute<
  const R extends Omit<RouteConfig, "middleware" | "security"> & { operationId: string },
>(access: Access, route: R) {
  const { scope, endpointClass, errors = [] } = access;
  const writes = ["post", "put", "patch", "delete"].includes(route.method);
  const codes = [...ALWAYS, ...(writes ? FOR_WRITES : []), ...errors];
  const scopes = typeof scope === "string" ? [scope] : [...scope];
  ENDPOINT_CLASS_BY_ROUTE.set(
    `${route.method.toUpperCase()} ${route.path.replace(/\{(\w+)\}/g, ":$1")}`,
    endpointClass,
  );
  const declared = access.dryRun ? withDryRun(route) : route;
  return createRoute({
    ...declared,
    security: [{ bearerAuth: scopes }],
    "x-required-scopes": scopes,
    "x-endpoint-class": endpointClass,
    // Admission (kill, rate limit, scope) comes first, so malformed bodies count against the limit too.
    middleware: writes
      ? [
          timed("guard", guard(scope, endpointClass)),
          timed("body", jsonBody),
          ...(access.dryRun ? [dryRunFlag] : []),
          noteMintedIds,
          timed("idempotency", idempotency),
        ]
      : [timed("guard", guard(scope, endpointClass))],
    responses: { ...declared.responses, ...errorResponses(codes) },
  });
}
