/**
 * Owns DELETE /v1/api-keys/:keyId: the customer revokes a key. Its guard object holds the
 * revocation, so the key is refused (401) on its very next request in every isolate.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { forgetCachedKey } from "../../http/auth";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { keyGuard } from "../../objects/key-guard";
import { ApiKeySchema, presentKey } from "./schemas";
import { KeyParams, keyChange, requireCustomer, targetKey } from "./shared";

export const revokeApiKeyRoute = defineRoute(
  { scope: "keys:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "delete",
    operationId: "revokeApiKey",
    path: "/v1/api-keys/{keyId}",
    tags: ["API keys"],
    summary: "Revoke an API key for good (customer only)",
    description:
      "Effective on the key's next request everywhere: it answers 401 from then on. Revoking a revoked key answers the same way. Audited as `api_key.revoked`.",
    request: { params: KeyParams },
    responses: {
      200: { description: "The revoked key.", content: { "application/json": { schema: ApiKeySchema } } },
    },
  },
);

export function registerRevokeApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(revokeApiKeyRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const key = await targetKey(c, keyId);
    requireCustomer(c, "revoke API keys");
    const { revokedAt } = await keyGuard(c.env, keyId).revoke(keyChange(c), keyId);
    forgetCachedKey(keyId);
    return c.json(presentKey({ ...key, revokedAt }), 200);
  });
}
