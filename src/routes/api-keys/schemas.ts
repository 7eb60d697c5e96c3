/** Owns the API key shapes: the create body, the view of a key (never its secret), the minted key. */
import { z } from "@hono/zod-openapi";
import type { ApiKeyRecord } from "../../db/api-keys";
import { KEY_ENVS, KEY_SCOPES, keyPrefix } from "../../domain/api-keys";
import { RATE_LIMIT_TIERS } from "../../domain/rate-limits";

const Timestamp = z.iso.datetime({ message: "ISO 8601 UTC timestamp ending in Z" });

/** An origin (`https://app.example.com`) or a URL prefix (`https://app.example.com/oauth/`). */
const ReturnUrlPrefix = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
      return (url.protocol === "https:" || (url.protocol === "http:" && local)) && !url.username && !url.hash;
    } catch {
      return false;
    }
  }, "An https origin or URL prefix (http only for localhost), without credentials or fragment.");

export const CreateApiKeyBodySchema = z
  .object({
    name: z.string().min(1).max(128).openapi({ example: "Acme Growth integration" }),
    scopes: z
      .array(z.union([z.enum(KEY_SCOPES), z.literal("*")]))
      .max(KEY_SCOPES.length + 1)
      .openapi({ description: "No wider than the calling key's own scopes." }),
    env: z.enum(KEY_ENVS),
    actorType: z.enum(["partner", "user"]),
    rateLimitTier: z.enum(RATE_LIMIT_TIERS),
    returnUrlAllowlist: z
      .array(ReturnUrlPrefix)
      .max(20)
      .optional()
      .openapi({ description: "URL prefixes or origins an OAuth `returnUrl` of this key may start with." }),
    expiresAt: Timestamp.optional(),
  })
  .strict()
  .openapi("CreateApiKeyRequest");

export const ApiKeySchema = z
  .object({
    apiKeyId: z.string().openapi({ example: "key_01JD0000000000000000000001" }),
    name: z.string(),
    prefix: z.string().openapi({ description: "`lp_<env>_<keyId>`: everything but the secret." }),
    lastFour: z.string().nullable().openapi({ description: "The secret's last four characters." }),
    env: z.enum(KEY_ENVS),
    actorType: z.enum(["partner", "user"]),
    scopes: z.array(z.string()),
    rateLimitTier: z.enum(RATE_LIMIT_TIERS),
    returnUrlAllowlist: z.array(z.string()).nullable(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable().openapi({ description: "Updated at most about once a minute." }),
    expiresAt: z.string().nullable(),
    killedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "After a rotation, when the previous secret stops working." }),
  })
  .openapi("ApiKey");

export const MintedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The full key. Shown once: only its hash is stored." }),
}).openapi("MintedApiKey");

export const ApiKeyPageSchema = z
  .object({ items: z.array(ApiKeySchema), nextCursor: z.string().nullable() })
  .openapi("ApiKeyPage");

export function presentKey(row: ApiKeyRecord): z.infer<typeof ApiKeySchema> {
  return {
    apiKeyId: row.id,
    name: row.name,
    prefix: keyPrefix(row.env, row.id),
    lastFour: row.secretLastFour,
    env: row.env as z.infer<typeof ApiKeySchema>["env"],
    actorType: row.actorType as z.infer<typeof ApiKeySchema>["actorType"],
    scopes: row.scopes,
    rateLimitTier: row.rateLimitTier as z.infer<typeof ApiKeySchema>["rateLimitTier"],
    returnUrlAllowlist: row.returnUrlAllowlist ?? null,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    killedAt: row.killedAt,
    revokedAt: row.revokedAt,
    previousSecretExpiresAt: row.previousSecretExpiresAt,
  };
}
