import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { findApiKey, markApiKeyKilled } from "../../db/tenancy";
import { isId } from "../../domain/ids";
import { forgetCachedKey } from "../../http/auth";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { recordAudit } from "../../objects/audit-ledger";
import { keyGuard } from "../../objects/key-guard";

const KillSchema = z
  .object({ apiKeyId: z.string(), killed: z.literal(true), killedAt: z.string() })
  .openapi("ApiKeyKill");

export const killApiKeyRoute = defineRoute(
  {
    scope: [],
    endpointClass: "write",
    errors: ["NOT_FOUND"],
  },
  {
    method: "post",
    operationId: "killApiKey",
    path: "/v1/api-keys/{keyId}/kill",
    tags: ["API keys"],
    summary: "Switch an API key off, effective on its next request",
    description:
      "Any key of an organization may kill any key of the same organization, itself included. Killing a killed key is a no-op that answers the same way.",
    request: { params: z.object({ keyId: z.string().openapi({ param: { name: "keyId", in: "path" } }) }) },
    responses: {
      200: { description: "The key is killed.", content: { "application/json": { schema: KillSchema } } },
    },
  },
);

export function registerKillApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(killApiKeyRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const caller = c.get("caller");
    if (!isId("apiKey", keyId)) throw notFound("API key");
    const key = await findApiKey(c.env.DB, keyId);
    if (!key || key.organizationId !== caller.organizationId) throw notFound("API key");
    const changed = await keyGuard(c.env, keyId).kill();
    const killedAt = key.killedAt ?? new Date().toISOString();
    if (changed || !key.killedAt) {
      await markApiKeyKilled(c.env.DB, keyId, killedAt);
      forgetCachedKey(keyId);
    }
    if (changed) {
      await recordAudit(c.env, [
        {
          eventType: "api_key.killed",
          requestId: c.get("requestId"),
          organizationId: caller.organizationId,
          projectId: null,
          apiKeyId: caller.apiKeyId,
          actorType: caller.actorType,
          verdictId: null,
          data: { killedApiKeyId: keyId },
        },
      ]);
    }
    return c.json({ apiKeyId: keyId, killed: true as const, killedAt }, 200);
  });
}
