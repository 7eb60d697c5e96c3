/**
 * Owns GET /docs: the interactive reference, rendered in the browser by Scalar from the served
 * /openapi.json. Its bundle is a static asset (wrangler.toml `[assets]`), so the page works
 * with no internet and nothing of Scalar's UI ships inside the Worker; Scalar's cloud features
 * (AI agent, MCP, SDK generation, developer tools, telemetry, hosted fonts) are off.
 */

import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppEnv } from "../../http/context";

/** Where the platform serves the copied bundle (scripts/docs-assets.mjs writes it there). */
export const SCALAR_BUNDLE_PATH = "/docs/scalar-standalone.js";

export function registerDocs(app: OpenAPIHono<AppEnv>) {
  app.get(
    "/docs",
    Scalar<AppEnv>((c) => ({
      url: "/openapi.json",
      pageTitle: "Ads Partner API reference",
      cdn: SCALAR_BUNDLE_PATH,
      // "Try it" calls the origin that served this page, whatever port it runs on.
      servers: [{ url: new URL(c.req.url).origin, description: "This server" }],
      authentication: { preferredSecurityScheme: "bearerAuth" },
      agent: { disabled: true },
      mcp: { disabled: true },
      telemetry: false,
      showDeveloperTools: "never",
      withDefaultFonts: false,
      documentDownloadType: "json",
      defaultOpenAllTags: true,
    })),
  );
}
