/** The platforms' OAuth redirect target: public (no API key), protected by the single-use state. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { completeConsent, publicOrigin } from "../../connections/oauth";
import type { AppEnv } from "../../http/context";
import { ApiError } from "../../http/errors";
import { errorResponses } from "../../http/route";

export const OAuthPlatformParams = z.object({
  platform: z.enum(["meta", "tiktok"]).openapi({ param: { name: "platform", in: "path" } }),
});

const optional = (name: string, description: string) =>
  z
    .string()
    .max(4096)
    .optional()
    .openapi({ param: { name, in: "query" }, description });

export const oauthCallbackRoute = createRoute({
  method: "get",
  operationId: "oauthCallback",
  path: "/v1/oauth/{platform}/callback",
  tags: ["Ad accounts"],
  security: [],
  "x-required-scopes": [],
  summary: "OAuth redirect target (called by the platform, not by partners)",
  description:
    "Consumes the state, exchanges the code, stores every granted ad account with its encrypted token and starts importing their campaigns, then redirects to the `returnUrl` given to `oauth-url`. An unknown state answers 404: there is nowhere safe to redirect.",
  request: {
    params: OAuthPlatformParams,
    query: z.object({
      state: optional("state", "The state minted by `oauth-url`."),
      code: optional("code", "Meta's authorization code."),
      auth_code: optional("auth_code", "TikTok's authorization code."),
      error: optional("error", "Set by the platform when the customer declined."),
      error_reason: optional("error_reason", "Meta's reason for an error."),
      error_description: optional("error_description", "The platform's description of an error."),
    }),
  },
  responses: {
    302: {
      description: "Back to `returnUrl` with `status=connected&accountId=…` or `status=error&code=…`.",
      headers: z.object({ Location: z.string() }),
    },
    ...errorResponses(["NOT_FOUND", "INTERNAL"]),
  },
});

export function registerOAuthCallback(app: OpenAPIHono<AppEnv>) {
  app.openapi(oauthCallbackRoute, async (c) => {
    const { platform } = c.req.valid("param");
    const query = c.req.valid("query");
    const target = await completeConsent(
      c.env,
      platform,
      { state: query.state ?? "", code: query.code ?? query.auth_code ?? null, error: query.error ?? null },
      publicOrigin(c.env, c.req.url),
    );
    if (target === null) throw new ApiError("NOT_FOUND", "Unknown OAuth state: start again with oauth-url.");
    c.header("Cache-Control", "no-store");
    return c.redirect(target, 302);
  });
}
