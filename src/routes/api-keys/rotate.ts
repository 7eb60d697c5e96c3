/**
 * Owns POST /v1/api-keys/:keyId/rotate: a new secret, shown once; the previous one keeps
 * working for a grace period (24 h unless asked, at most 7 days) so clients can switch over.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { DEFAULT_GRACE_SECONDS, formatApiKey, MAX_GRACE_SECONDS, newSecret } from "../../domain/api-keys";
import { sha256Hex } from "../../domain/audit-chain";
import { forgetCachedKey } from "../../http/auth";
import type { AppEnv } from "../../http/context";
import { ApiError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { keyGuard } from "../../objects/key-guard";
import { MintedApiKeySchema, presentKey } from "./schemas";
import { KeyParams, keyChange, requireCustomer, targetKey } from "./shared";

const RotateBodySchema = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .optional()
      .openapi({
        description: `How long the previous secret stays valid (default ${DEFAULT_GRACE_SECONDS}).`,
      }),
  })
  .strict()
  .openapi("RotateApiKeyRequest");

export const rotateApiKeyRoute = defineRoute(
  { scope: "keys:write", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "rotateApiKey",
    path: "/v1/api-keys/{keyId}/rotate",
    tags: ["API keys"],
    summary: "Issue a new secret for an API key (customer only)",
    description:
      "The new key is shown once. The previous secret stays valid for `gracePeriodSeconds` (default 24 hours, at most 7 days); rotating again ends an earlier grace period. A revoked key cannot be rotated (409). Audited as `api_key.rotated`.",
    request: {
      params: KeyParams,
      body: { required: false, content: { "application/json": { schema: RotateBodySchema } } },
    },
    responses: {
      200: {
        description: "The key with its new secret (shown once).",
        content: { "application/json": { schema: MintedApiKeySchema } },
      },
    },
  },
);

export function registerRotateApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(rotateApiKeyRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const body = c.req.valid("json");
    const key = await targetKey(c, keyId);
    requireCustomer(c, "rotate API keys");
    if (key.revokedAt) throw new ApiError("CONFLICT", "This API key is revoked; mint a new one instead.");
    const secret = newSecret();
    const grace = body.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const fields = {
      secretHash: await sha256Hex(secret),
      secretLastFour: secret.slice(-4),
      previousSecretHash: key.secretHash,
      previousSecretExpiresAt: new Date(Date.now() + grace * 1000).toISOString(),
    };
    const { rotated } = await keyGuard(c.env, keyId).rotate(keyChange(c), keyId, fields);
    if (!rotated) throw new ApiError("CONFLICT", "This API key is revoked; mint a new one instead.");
    forgetCachedKey(keyId);
    c.set("secretInResponse", { apiKeyId: keyId });
    return c.json(
      { ...presentKey({ ...key, ...fields }), key: formatApiKey(key.env as "live" | "test", keyId, secret) },
      200,
    );
  });
}
