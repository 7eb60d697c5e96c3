/**
 * Owns POST /v1/api-keys: the customer mints a key (partners never do). Scopes and rate-limit
 * tier no wider than the caller's; the secret is shown once. The new key's guard object
 * commits the row and its `api_key.created` event together (objects/key-guard.ts).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { ApiKeyRecord } from "../../db/api-keys";
import { formatApiKey, newSecret, scopesBeyond, tierWithin } from "../../domain/api-keys";
import { sha256Hex } from "../../domain/audit-chain";
import { newId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { type ValidationIssue, validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { keyGuard } from "../../objects/key-guard";
import { CreateApiKeyBodySchema, MintedApiKeySchema, presentKey } from "./schemas";
import { keyChange, requireCustomer } from "./shared";

export const createApiKeyRoute = defineRoute(
  { scope: "keys:write", endpointClass: "write" },
  {
    method: "post",
    operationId: "createApiKey",
    path: "/v1/api-keys",
    tags: ["API keys"],
    summary: "Mint an API key (customer only)",
    description:
      "Customer keys (actor `user`) with `keys:write` only. `scopes` and `rateLimitTier` may not exceed the calling key's; a `test` key mints only `test` keys; partner keys never carry `keys:write`. The response holds the full key, shown this once: a retry under the same `Idempotency-Key` answers 409 naming the key it minted, never the secret again. Audited as `api_key.created`.",
    request: {
      body: { required: true, content: { "application/json": { schema: CreateApiKeyBodySchema } } },
    },
    responses: {
      201: {
        description: "The key, with its secret (shown once).",
        content: { "application/json": { schema: MintedApiKeySchema } },
      },
    },
  },
);

export function registerCreateApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(createApiKeyRoute, async (c) => {
    requireCustomer(c, "mint API keys");
    const body = c.req.valid("json");
    const caller = c.get("caller");
    const now = new Date();
    const issues: ValidationIssue[] = [];
    const beyond = scopesBeyond(caller.scopes, body.scopes);
    if (beyond.length > 0) {
      issues.push({
        location: "body",
        path: "scopes",
        message: `Wider than this key's own: ${beyond.join(", ")}.`,
      });
    }
    if (body.actorType === "partner" && body.scopes.includes("keys:write")) {
      issues.push({ location: "body", path: "scopes", message: "Partner keys never carry keys:write." });
    }
    if (!tierWithin(caller.rateLimitTier, body.rateLimitTier)) {
      issues.push({ location: "body", path: "rateLimitTier", message: `At most ${caller.rateLimitTier}.` });
    }
    if (caller.env === "test" && body.env !== "test") {
      issues.push({ location: "body", path: "env", message: "A test key mints only test keys." });
    }
    if (body.expiresAt && Date.parse(body.expiresAt) <= now.getTime()) {
      issues.push({ location: "body", path: "expiresAt", message: "expiresAt must be in the future." });
    }
    if (issues.length > 0) throw validationError(issues);

    const keyId = newId("apiKey");
    const secret = newSecret();
    const row: ApiKeyRecord = {
      id: keyId,
      organizationId: caller.organizationId,
      name: body.name,
      secretHash: await sha256Hex(secret),
      env: body.env,
      actorType: body.actorType,
      scopes: [...new Set(body.scopes)],
      rateLimitTier: body.rateLimitTier,
      killedAt: null,
      revokedAt: null,
      createdAt: now.toISOString(),
      secretLastFour: secret.slice(-4),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      expiresAt: body.expiresAt ? new Date(body.expiresAt).toISOString() : null,
      lastUsedAt: null,
      returnUrlAllowlist: body.returnUrlAllowlist ?? null,
      createdByApiKeyId: caller.apiKeyId,
    };
    await keyGuard(c.env, keyId).create(keyChange(c), row);
    c.header("Location", `/v1/api-keys/${keyId}`);
    c.set("secretInResponse", { apiKeyId: keyId });
    return c.json({ ...presentKey(row), key: formatApiKey(body.env, keyId, secret) }, 201);
  });
}
