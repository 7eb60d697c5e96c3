/** Owns GET /v1/api-keys and GET /v1/api-keys/:keyId: the organization's keys, never a secret. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { listKeys } from "../../db/api-keys";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { defineRoute } from "../../http/route";
import { cursorParam, limitParam } from "../schemas";
import { ApiKeyPageSchema, ApiKeySchema, presentKey } from "./schemas";
import { KeyParams, requireCustomer, targetKey } from "./shared";

const CursorSchema = z.object({ createdAt: z.string().min(1).max(64), id: z.string().min(1).max(64) });

export const listApiKeysRoute = defineRoute(
  { scope: "keys:write", endpointClass: "read", errors: ["VALIDATION"] },
  {
    method: "get",
    operationId: "listApiKeys",
    path: "/v1/api-keys",
    tags: ["API keys"],
    summary: "List the organization's API keys, newest first (customer only)",
    description: "Prefix and last four characters only; secrets are never shown again.",
    request: { query: z.object({ cursor: cursorParam, limit: limitParam(200, 50) }) },
    responses: {
      200: { description: "A page of keys.", content: { "application/json": { schema: ApiKeyPageSchema } } },
    },
  },
);

export const getApiKeyRoute = defineRoute(
  { scope: "keys:write", endpointClass: "read", errors: ["NOT_FOUND"] },
  {
    method: "get",
    operationId: "getApiKey",
    path: "/v1/api-keys/{keyId}",
    tags: ["API keys"],
    summary: "Read one API key (customer only)",
    request: { params: KeyParams },
    responses: {
      200: { description: "The key.", content: { "application/json": { schema: ApiKeySchema } } },
    },
  },
);

export function registerListApiKeys(app: OpenAPIHono<AppEnv>) {
  app.openapi(listApiKeysRoute, async (c) => {
    requireCustomer(c, "list API keys");
    const query = c.req.valid("query");
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { rows, hasMore } = await listKeys(c.env.DB, c.get("caller").organizationId, {
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: rows.map(presentKey),
        nextCursor: nextCursor(rows, hasMore, (last) => ({ createdAt: last.createdAt, id: last.id })),
      },
      200,
    );
  });

  app.openapi(getApiKeyRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const key = await targetKey(c, keyId);
    requireCustomer(c, "read API keys");
    return c.json(presentKey(key), 200);
  });
}
