/** Rotate an endpoint's secret, ping it, list its deliveries, replay a delivery. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { auditLedger } from "../../objects/audit-ledger";
import { cursorParam, limitParam } from "../schemas";
import { DeliveryParams, DeliverySchema, EndpointParams, EndpointWithSecretSchema, json } from "./schemas";

const BASE = "/v1/webhook-endpoints/{endpointId}";
const CursorSchema = z.object({ before: z.string() });

const rotateRoute = defineRoute(
  { scope: "webhooks:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "rotateWebhookSecret",
    path: `${BASE}/rotate-secret`,
    tags: ["Webhooks"],
    summary: "Issue a new signing secret; the previous one stays valid for 24 hours",
    description:
      "Until `previousSecretExpiresAt` every delivery carries two signatures in `webhook-signature`, one per secret, so receivers can switch without dropping one.",
    request: { params: EndpointParams },
    responses: { 200: json("The endpoint, with its new secret (shown only now).", EndpointWithSecretSchema) },
  },
);

const pingRoute = defineRoute(
  { scope: "webhooks:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "testWebhookEndpoint",
    path: `${BASE}/test`,
    tags: ["Webhooks"],
    summary: "Send a `test.ping` event to the endpoint",
    request: { params: EndpointParams },
    responses: {
      202: json(
        "The ping's delivery, on its way.",
        z.object({ eventId: z.string(), delivery: DeliverySchema }).openapi("WebhookPing"),
      ),
    },
  },
);

const listRoute = defineRoute(
  { scope: "webhooks:read", endpointClass: "read", errors: ["NOT_FOUND", "VALIDATION"] },
  {
    method: "get",
    operationId: "listWebhookDeliveries",
    path: `${BASE}/deliveries`,
    tags: ["Webhooks"],
    summary: "List an endpoint's deliveries, newest first",
    request: { params: EndpointParams, query: z.object({ cursor: cursorParam, limit: limitParam(200, 50) }) },
    responses: {
      200: json(
        "A page of deliveries.",
        z
          .object({ items: z.array(DeliverySchema), nextCursor: z.string().nullable() })
          .openapi("WebhookDeliveryPage"),
      ),
    },
  },
);

const replayRoute = defineRoute(
  { scope: "webhooks:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "replayWebhookDelivery",
    path: "/v1/webhook-deliveries/{deliveryId}/replay",
    tags: ["Webhooks"],
    summary: "Deliver the same event again, under a new delivery id",
    description:
      "The event (and its `webhook-id`) is the same, so receivers that deduplicate by it see a repeat.",
    request: { params: DeliveryParams },
    responses: { 202: json("The new delivery.", DeliverySchema) },
  },
);

const endpointNotFound = () => notFound("Webhook endpoint");

export function registerWebhookDeliveries(app: OpenAPIHono<AppEnv>) {
  app.openapi(rotateRoute, async (c) => {
    const { endpointId } = c.req.valid("param");
    if (!isId("webhookEndpoint", endpointId)) throw endpointNotFound();
    const rotated = await auditLedger(c.env, c.get("caller").organizationId).rotateWebhookSecret(endpointId);
    if (!rotated) throw endpointNotFound();
    return c.json({ ...rotated.endpoint, secret: rotated.secret }, 200);
  });

  app.openapi(pingRoute, async (c) => {
    const { endpointId } = c.req.valid("param");
    const { organizationId } = c.get("caller");
    if (!isId("webhookEndpoint", endpointId)) throw endpointNotFound();
    const ping = await auditLedger(c.env, organizationId).pingWebhookEndpoint(organizationId, endpointId);
    if (!ping) throw endpointNotFound();
    return c.json(ping, 202);
  });

  app.openapi(listRoute, async (c) => {
    const { endpointId } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    if (!isId("webhookEndpoint", endpointId)) throw endpointNotFound();
    const before = cursor ? decodeCursor(cursor, CursorSchema).before : null;
    const rows = await auditLedger(c.env, c.get("caller").organizationId).listWebhookDeliveries(
      endpointId,
      before,
      limit + 1,
    );
    if (!rows) throw endpointNotFound();
    const items = rows.slice(0, limit);
    return c.json(
      { items, nextCursor: nextCursor(items, rows.length > limit, (last) => ({ before: last.deliveryId })) },
      200,
    );
  });

  app.openapi(replayRoute, async (c) => {
    const { deliveryId } = c.req.valid("param");
    if (!isId("webhookDelivery", deliveryId)) throw notFound("Webhook delivery");
    const replay = await auditLedger(c.env, c.get("caller").organizationId).replayWebhookDelivery(deliveryId);
    if (!replay) throw notFound("Webhook delivery");
    return c.json(replay, 202);
  });
}
