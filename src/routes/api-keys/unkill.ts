/** Owns POST /v1/api-keys/:keyId/unkill: the customer reactivates a killed key, audited. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { keyGuard } from "../../objects/key-guard";
import { KeyParams, keyChange, requireCustomer, targetKey } from "./shared";

const UnkillSchema = z.object({ apiKeyId: z.string(), killed: z.literal(false) }).openapi("ApiKeyUnkill");

export const unkillApiKeyRoute = defineRoute(
  { scope: "keys:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "unkillApiKey",
    path: "/v1/api-keys/{keyId}/unkill",
    tags: ["API keys"],
    summary: "Reactivate a killed API key (customer only)",
    description:
      "Customer keys (actor `user`) with `keys:write` only. Effective on the key's next request; unkilling a key that is not killed is a no-op that answers the same way. Audited as `api_key.unkilled`.",
    request: { params: KeyParams },
    responses: {
      200: {
        description: "The key is active again.",
        content: { "application/json": { schema: UnkillSchema } },
      },
    },
  },
);

export function registerUnkillApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(unkillApiKeyRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    await targetKey(c, keyId);
    requireCustomer(c, "reactivate a killed key");
    await keyGuard(c.env, keyId).unkill(keyChange(c), keyId);
    return c.json({ apiKeyId: keyId, killed: false as const }, 200);
  });
}
