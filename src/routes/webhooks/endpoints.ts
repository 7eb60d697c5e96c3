/** Create, list, read, change and delete webhook endpoints (organization-scoped, in its ledger object). */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findProject } from "../../db/tenancy";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { ApiError, notFound, validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { auditLedger } from "../../objects/audit-ledger";
import { webhookUrlProblem } from "../../webhooks/urls";
import { endpointEtag } from "../../webhooks/views";
import { IfMatchHeader } from "../authority/schemas";
import { cursorParam, limitParam } from "../schemas";
import {
  CreateEndpointBodySchema,
  EndpointParams,
  EndpointSchema,
  EndpointWithSecretSchema,
  json,
  PatchEndpointBodySchema,
} from "./schemas";

const BASE = "/v1/webhook-endpoints";
const CursorSchema = z.object({ after: z.string() });

const createRoute = defineRoute(
  { scope: "webhooks:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "createWebhookEndpoint",
    path: BASE,
    tags: ["Webhooks"],
    summary: "Register a webhook endpoint; the signing secret is shown once",
    description:
      "Live keys register https URLs that name no loopback or private address; test keys may also use http://localhost.",
    request: {
      body: { required: true, content: { "application/json": { schema: CreateEndpointBodySchema } } },
    },
    responses: { 201: json("The endpoint, with its secret.", EndpointWithSecretSchema) },
  },
);

const listRoute = defineRoute(
  { scope: "webhooks:read", endpointClass: "read", errors: ["VALIDATION"] },
  {
    method: "get",
    operationId: "listWebhookEndpoints",
    path: BASE,
    tags: ["Webhooks"],
    summary: "List webhook endpoints",
    request: { query: z.object({ cursor: cursorParam, limit: limitParam(200, 50) }) },
    responses: {
      200: json(
        "A page of endpoints.",
        z
          .object({ items: z.array(EndpointSchema), nextCursor: z.string().nullable() })
          .openapi("WebhookEndpointPage"),
      ),
    },
  },
);

const getRoute = defineRoute(
  { scope: "webhooks:read", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getWebhookEndpoint",
    path: `${BASE}/{endpointId}`,
    tags: ["Webhooks"],
    summary: "Read a webhook endpoint",
    request: { params: EndpointParams },
    responses: { 200: json("The endpoint.", EndpointSchema) },
  },
);

const patchRoute = defineRoute(
  { scope: "webhooks:write", endpointClass: "write", errors: ["NOT_FOUND", "PRECONDITION_FAILED"] },
  {
    method: "patch",
    operationId: "updateWebhookEndpoint",
    path: `${BASE}/{endpointId}`,
    tags: ["Webhooks"],
    summary: "Change a webhook endpoint (or set it active again after an auto-pause)",
    request: {
      params: EndpointParams,
      headers: IfMatchHeader,
      body: { required: true, content: { "application/json": { schema: PatchEndpointBodySchema } } },
    },
    responses: { 200: json("The endpoint after the change.", EndpointSchema) },
  },
);

const deleteRoute = defineRoute(
  { scope: "webhooks:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "delete",
    operationId: "deleteWebhookEndpoint",
    path: `${BASE}/{endpointId}`,
    tags: ["Webhooks"],
    summary: "Delete a webhook endpoint; its pending deliveries are dropped",
    request: { params: EndpointParams },
    responses: { 204: { description: "Deleted." } },
  },
);

const urlIssue = (message: string) => validationError([{ location: "body", path: "url", message }]);

export function registerWebhookEndpoints(app: OpenAPIHono<AppEnv>) {
  app.openapi(createRoute, async (c) => {
    const body = c.req.valid("json");
    const caller = c.get("caller");
    const problem = webhookUrlProblem(body.url, caller.env);
    if (problem) throw urlIssue(problem);
    if (body.projectId !== undefined) {
      const project = isId("project", body.projectId)
        ? await findProject(c.env.DB, caller.organizationId, body.projectId)
        : null;
      if (!project) {
        throw notFound("Project");
      }
    }
    const { endpoint, secret } = await auditLedger(c.env, caller.organizationId).createWebhookEndpoint(
      caller.organizationId,
      {
        url: body.url,
        events: body.events,
        description: body.description ?? null,
        projectId: body.projectId ?? null,
        mode: caller.env,
      },
    );
    return c.json({ ...endpoint, secret }, 201);
  });

  app.openapi(listRoute, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const caller = c.get("caller");
    const after = cursor ? decodeCursor(cursor, CursorSchema).after : null;
    const rows = await auditLedger(c.env, caller.organizationId).listWebhookEndpoints(after, limit + 1);
    const items = rows.slice(0, limit);
    return c.json(
      { items, nextCursor: nextCursor(items, rows.length > limit, (last) => ({ after: last.endpointId })) },
      200,
    );
  });

  app.openapi(getRoute, async (c) => {
    const { endpointId } = c.req.valid("param");
    const caller = c.get("caller");
    if (!isId("webhookEndpoint", endpointId)) throw notFound("Webhook endpoint");
    const endpoint = await auditLedger(c.env, caller.organizationId).getWebhookEndpoint(endpointId);
    if (!endpoint) throw notFound("Webhook endpoint");
    c.header("ETag", endpointEtag(endpoint));
    return c.json(endpoint, 200);
  });

  app.openapi(patchRoute, async (c) => {
    const { endpointId } = c.req.valid("param");
    const patch = c.req.valid("json");
    const caller = c.get("caller");
    if (!isId("webhookEndpoint", endpointId)) throw notFound("Webhook endpoint");
    const ledger = auditLedger(c.env, caller.organizationId);
    const current = await ledger.getWebhookEndpoint(endpointId);
    if (!current) throw notFound("Webhook endpoint");
    if (patch.url !== undefined) {
      const problem = webhookUrlProblem(patch.url, current.mode);
      if (problem) throw urlIssue(problem);
    }
    // An empty If-Match names no tag: treated as absent, as on the other PATCHes.
    const updated = await ledger.updateWebhookEndpoint(endpointId, patch, c.req.header("If-Match") || null);
    if (!updated) throw notFound("Webhook endpoint");
    if (updated === "stale") {
      throw new ApiError(
        "PRECONDITION_FAILED",
        "The endpoint changed since you read it (If-Match is stale).",
      );
    }
    c.header("ETag", endpointEtag(updated));
    return c.json(updated, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { endpointId } = c.req.valid("param");
    const caller = c.get("caller");
    if (!isId("webhookEndpoint", endpointId)) throw notFound("Webhook endpoint");
    const deleted = await auditLedger(c.env, caller.organizationId).deleteWebhookEndpoint(endpointId);
    if (!deleted) throw notFound("Webhook endpoint");
    return c.body(null, 204);
  });
}
