import { type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  keyReturnUrlAllowlist,
  type OAuthPlatform,
  publicOrigin,
  returnUrlAllowed,
  startConsent,
} from "../../connections/oauth";
import type { AppEnv } from "../../http/context";
import { validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { ProjectParams } from "../schemas";

const PLATFORM_ALIASES: Record<string, OAuthPlatform> = {
  meta: "meta",
  meta_ads: "meta",
  tiktok: "tiktok",
  tiktok_ads: "tiktok",
};

const OAuthUrlBodySchema = z
  .object({
    platform: z
      .enum(["meta", "tiktok", "meta_ads", "tiktok_ads"])
      .openapi({ description: "Apple Search Ads has no OAuth: use `POST …/ad-accounts/apple/credentials`." }),
    returnUrl: z.string().min(1).max(2048).openapi({
      description:
        "Where the customer lands after consent; must match the key's `returnUrlAllowlist` (test keys may use http://localhost).",
    }),
    state: z.string().max(512).optional().openapi({ description: "Echoed back to `returnUrl` as `state`." }),
  })
  .strict()
  .openapi("OAuthUrlRequest");

const OAuthUrlSchema = z
  .object({
    url: z.string().openapi({
      description: "Send the customer here. Single use, bound to this project, platform and key.",
    }),
    expiresAt: z.string(),
  })
  .openapi("OAuthUrl");

export const oauthUrlRoute = defineRoute(
  { scope: "ads:write:connect", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "createOAuthUrl",
    path: "/v1/projects/{projectId}/ads/ad-accounts/oauth-url",
    tags: ["Ad accounts"],
    summary: "Start connecting a Meta or TikTok ad account",
    description:
      "Answers the consent URL. After consent the platform calls `GET /v1/oauth/{platform}/callback`, which stores every granted ad account and redirects to `returnUrl?status=connected&accountId=…&state=…`, or `status=error&code=…` (access_denied, state_expired, state_used, state_mismatch, key_revoked, exchange_failed, no_ad_accounts). Test keys get the built-in sandbox consent page.",
    request: {
      params: ProjectParams,
      body: { required: true, content: { "application/json": { schema: OAuthUrlBodySchema } } },
    },
    responses: {
      200: { description: "The consent URL.", content: { "application/json": { schema: OAuthUrlSchema } } },
    },
  },
);

export function registerOAuthUrl(app: OpenAPIHono<AppEnv>) {
  app.openapi(oauthUrlRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const body = c.req.valid("json");
    const caller = c.get("caller");
    const project = await requireProject(c.env.DB, caller, projectId);
    const allowlist = await keyReturnUrlAllowlist(c.env.DB, caller.apiKeyId);
    if (!returnUrlAllowed(body.returnUrl, allowlist, caller.env)) {
      throw validationError([
        { location: "body", path: "returnUrl", message: "Not in this API key's returnUrlAllowlist." },
      ]);
    }
    const consent = await startConsent(c.env, caller, {
      projectId: project.id,
      platform: PLATFORM_ALIASES[body.platform] as OAuthPlatform,
      returnUrl: body.returnUrl,
      clientState: body.state ?? null,
      origin: publicOrigin(c.env, c.req.url),
    });
    return c.json(consent, 200);
  });
}
