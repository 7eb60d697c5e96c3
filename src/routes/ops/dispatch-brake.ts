/**
 * Owns the operator endpoints of the dispatch brake: read it, pull it, release it. Outside
 * /v1 and outside every organization: the caller presents the OPERATOR_TOKEN secret.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { dispatchControl } from "../../dispatch/brake";
import { jsonBody } from "../../http/body";
import type { AppEnv } from "../../http/context";
import { ApiError, notFound } from "../../http/errors";
import { errorResponses } from "../../http/route";

const BrakeSchema = z
  .object({
    engaged: z.boolean().openapi({ description: "True while platform dispatch is held." }),
    reason: z.string().nullable(),
    changedAt: z.string().nullable(),
    source: z.enum(["switch", "variable"]).nullable().openapi({
      description: "`variable` while DISPATCH_BRAKE=on holds dispatch regardless of the switch.",
    }),
    heldCampaigns: z.number().int().openapi({ description: "Campaigns with attempts held by the brake." }),
  })
  .openapi("DispatchBrake");

const BrakeChangeSchema = z
  .object({
    engaged: z.boolean(),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict()
  .openapi("DispatchBrakeChange");

const encoder = new TextEncoder();

/** The operator token, compared in constant time; no token configured means no such endpoint. */
const operatorOnly = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.OPERATOR_TOKEN;
  if (!expected) throw notFound();
  const presented = /^bearer\s+(.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1]?.trim() ?? "";
  const [a, b] = await Promise.all(
    [presented, expected].map(
      async (s) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(s))),
    ),
  );
  if (!a || !b || !crypto.subtle.timingSafeEqual(a, b)) {
    throw new ApiError("UNAUTHENTICATED", "This endpoint takes the operator token.");
  }
  await next();
});

const common: { path: "/ops/dispatch-brake"; tags: string[]; security: Record<string, string[]>[] } = {
  path: "/ops/dispatch-brake",
  tags: ["Operations"],
  security: [{ operatorToken: [] }],
};

const getBrakeRoute = createRoute({
  ...common,
  method: "get",
  operationId: "getDispatchBrake",
  summary: "Read the dispatch brake (operators only)",
  middleware: [operatorOnly] as const,
  responses: {
    200: { description: "The brake.", content: { "application/json": { schema: BrakeSchema } } },
    ...errorResponses(["UNAUTHENTICATED", "NOT_FOUND", "INTERNAL"]),
  },
});

const putBrakeRoute = createRoute({
  ...common,
  method: "put",
  operationId: "setDispatchBrake",
  summary: "Pull or release the dispatch brake (operators only)",
  description:
    "While engaged no platform call is made: jobs wait in `queued` (or `retrying`) and nothing is lost. On release they go out in the order they were taken.",
  middleware: [operatorOnly, jsonBody] as const,
  request: { body: { required: true, content: { "application/json": { schema: BrakeChangeSchema } } } },
  responses: {
    200: {
      description: "The brake after the change.",
      content: { "application/json": { schema: BrakeSchema } },
    },
    ...errorResponses(["UNAUTHENTICATED", "NOT_FOUND", "VALIDATION", "PAYLOAD_TOO_LARGE", "INTERNAL"]),
  },
});

export function registerDispatchBrake(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent("securitySchemes", "operatorToken", {
    type: "http",
    scheme: "bearer",
    description: "The OPERATOR_TOKEN secret; for the people who run this API, never for partners.",
  });
  app.openapi(getBrakeRoute, async (c) => c.json(await dispatchControl(c.env).state(), 200));
  app.openapi(putBrakeRoute, async (c) => {
    const { engaged, reason } = c.req.valid("json");
    return c.json(await dispatchControl(c.env).set(engaged, reason ?? null), 200);
  });
}
