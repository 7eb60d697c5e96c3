/**
 * The sandbox's consent page, for test keys: what a platform's OAuth dialog is in live mode,
 * served by the Worker itself so the whole connect flow runs offline and can be clicked.
 */
import { Buffer } from "node:buffer";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { html } from "hono/html";
import { findState } from "../../connections/oauth";
import type { AppEnv } from "../../http/context";
import { ApiError } from "../../http/errors";
import { errorResponses } from "../../http/route";
import { SANDBOX_CODE_PREFIX } from "../../platforms/sandbox-connect";
import { OAuthPlatformParams } from "./callback";

export const sandboxConsentRoute = createRoute({
  method: "get",
  operationId: "sandboxConsent",
  path: "/v1/oauth/{platform}/sandbox/consent",
  tags: ["Ad accounts"],
  security: [],
  "x-required-scopes": [],
  summary: "Sandbox consent page (test keys' oauth-url points here)",
  request: {
    params: OAuthPlatformParams,
    query: z.object({
      state: z
        .string()
        .max(256)
        .optional()
        .openapi({ param: { name: "state", in: "query" } }),
    }),
  },
  responses: {
    200: { description: "The consent page.", content: { "text/html": { schema: z.string() } } },
    ...errorResponses(["NOT_FOUND", "INTERNAL"]),
  },
});

const LABELS = { meta: "Meta", tiktok: "TikTok" } as const;

export function registerSandboxConsent(app: OpenAPIHono<AppEnv>) {
  app.openapi(sandboxConsentRoute, async (c) => {
    const { platform } = c.req.valid("param");
    const { state = "" } = c.req.valid("query");
    const row = await findState(c.env.DB, state);
    if (row?.env !== "test" || row.platform !== platform || row.usedAt !== null) {
      throw new ApiError("NOT_FOUND", "No pending sandbox consent for this state.");
    }
    const code = `${SANDBOX_CODE_PREFIX}${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex")}`;
    const codeParam = platform === "tiktok" ? "auth_code" : "code";
    const callback = `/v1/oauth/${platform}/callback`;
    const allow = `${callback}?${new URLSearchParams({ [codeParam]: code, state })}`;
    const deny = `${callback}?${new URLSearchParams({ error: "access_denied", state })}`;
    const label = LABELS[platform];
    c.header("Cache-Control", "no-store");
    return c.html(
      html`<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Sandbox ${label} consent</title></head>
  <body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto">
    <h1>Connect a sandbox ${label} ad account</h1>
    <p>This page stands in for ${label}'s consent dialog for test keys. Allowing grants one new
      simulated ad account with a few existing campaigns; no request leaves this server.</p>
    <p><a id="allow" href="${allow}">Allow</a> &nbsp; <a id="deny" href="${deny}">Deny</a></p>
  </body>
</html>`,
      200,
    );
  });
}
