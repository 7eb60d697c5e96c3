/**
 * Owns POST /v1/api-keys/:keyId/kill, the emergency brake: any key may kill a partner key of
 * its organization (itself included); killing a customer key takes a customer key. The key's
 * guard object commits the flag and its audit event together (see objects/key-guard.ts).
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { ApiError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { keyGuard } from "../../objects/key-guard";
import { KeyParams, keyChange, targetKey } from "./shared";

const KillSchema = z
  .object({ apiKeyId: z.string(), killed: z.literal(true), killedAt: z.string() })
  .openapi("ApiKeyKill");

export const killApiKeyRoute = defineRoute(
  { scope: [], endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "killApiKey",
    path: "/v1/api-keys/{keyId}/kill",
    tags: ["API keys"],
    summary: "Switch an API key off, effective on its next request",
    description:
      "Any key may kill a partner key of its organization, itself included (the emergency brake for a leaked key). Killing a customer key (actor `user`) takes a customer key: a partner key gets 403. Killing a killed key is a no-op that answers the same way. The customer undoes a kill with `POST …/unkill`.",
    request: { params: KeyParams },
    responses: {
      200: { description: "The key is killed.", content: { "application/json": { schema: KillSchema } } },
    },
  },
);

export function registerKillApiKey(app: OpenAPIHono<AppEnv>) {
  app.openapi(killApiKeyRoute, async (c) => {
    const { keyId } = c.req.valid("param");
    const target = await targetKey(c, keyId);
    if (target.actorType !== "partner" && c.get("caller").actorType !== "user") {
      throw new ApiError("FORBIDDEN_SCOPE", "Killing a customer key takes a customer key.", {
        requiredScope: "keys:write",
        requiredActorType: "user",
      });
    }
    const { killedAt } = await keyGuard(c.env, keyId).kill(keyChange(c), keyId);
    return c.json({ apiKeyId: keyId, killed: true as const, killedAt }, 200);
  });
}
