/** Owns what the API key routes share: the target lookup, the audit context, the customer-only rule. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type ApiKeyRecord, findKeyInOrganization } from "../../db/api-keys";
import { isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { ApiError, notFound } from "../../http/errors";
import type { KeyChange } from "../../objects/key-guard";

export const KeyParams = z.object({
  keyId: z
    .string()
    .openapi({ param: { name: "keyId", in: "path" }, example: "key_01JD0000000000000000000001" }),
});

/** The key `keyId` of the caller's organization; another organization's key is indistinguishable from none. */
export async function targetKey(c: Context<AppEnv>, keyId: string): Promise<ApiKeyRecord> {
  if (!isId("apiKey", keyId)) throw notFound("API key");
  const key = await findKeyInOrganization(c.env.DB, c.get("caller").organizationId, keyId);
  if (!key) throw notFound("API key");
  return key;
}

export function keyChange(c: Context<AppEnv>): KeyChange {
  const caller = c.get("caller");
  return {
    organizationId: caller.organizationId,
    requestId: c.get("requestId"),
    actorApiKeyId: caller.apiKeyId,
    actorType: caller.actorType,
  };
}

/** Key lifecycle is the customer's: partner keys never mint, unkill, rotate or revoke keys. */
export function requireCustomer(c: Context<AppEnv>, what: string): void {
  if (c.get("caller").actorType !== "user") {
    throw new ApiError("FORBIDDEN_SCOPE", `Only a customer key (actor user) may ${what}.`, {
      requiredScope: "keys:write",
      requiredActorType: "user",
    });
  }
}
