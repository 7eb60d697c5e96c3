/**
 * Builds the Hono app: middleware order, the validation hook, and every route, registered
 * explicitly here so the whole surface is visible in one place.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { authenticate } from "./http/auth";
import { jsonBody } from "./http/body";
import type { AppEnv } from "./http/context";
import { onError, onNotFound } from "./http/error-envelope";
import { notFound, type ValidationIssue, validationError } from "./http/errors";
import { requestId } from "./http/request-id";
import { registerListAdAccounts } from "./routes/ad-accounts/list";
import { registerKillApiKey } from "./routes/api-keys/kill";
import { registerWhoami } from "./routes/system/whoami";

const LOCATIONS: Record<string, ValidationIssue["location"]> = {
  json: "body",
  query: "query",
  header: "header",
};

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      // Malformed path parameters (unknown platform, malformed id) name nothing that exists.
      if (result.target === "param") throw notFound();
      const location = LOCATIONS[result.target] ?? "body";
      throw validationError(
        result.error.issues.map((issue) => ({
          location,
          path: issue.path.map(String).join("."),
          message: issue.message,
        })),
      );
    },
  });

  app.use("*", requestId);
  app.onError(onError);
  app.notFound(onNotFound);

  // The runtime's floor for benchmarks: no auth, no I/O.
  app.get("/healthz", (c) => c.json({ ok: true }));

  app.use("/v1/*", jsonBody, authenticate);
  registerWhoami(app);
  registerListAdAccounts(app);
  registerKillApiKey(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key `lp_<env>_<keyId>_<secret>`. Each operation lists the scope it requires.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Ads Partner API",
      version: "1.0.0",
      description:
        "Create and steer ad campaigns on Meta, TikTok and Apple Search Ads for your customers. Every write passes the customer's authority gate.",
    },
    servers: [{ url: "http://localhost:8787", description: "Local development" }],
  });
  return app;
}
