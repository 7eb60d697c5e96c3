import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";

const WhoamiSchema = z
  .object({
    organizationId: z.string(),
    organizationName: z.string(),
    apiKeyId: z.string(),
    actorType: z.enum(["partner", "user"]),
    scopes: z.array(z.string()),
    rateLimitTier: z.enum(["standard", "pilot", "partner"]),
    env: z.enum(["live", "test"]),
  })
  .openapi("Whoami");

export const whoamiRoute = defineRoute(
  {
    scope: [],
    endpointClass: "read",
  },
  {
    method: "get",
    operationId: "getWhoami",
    path: "/v1/whoami",
    tags: ["System"],
    summary: "Who the calling API key is",
    responses: {
      200: { description: "The calling key.", content: { "application/json": { schema: WhoamiSchema } } },
    },
  },
);

export function registerWhoami(app: OpenAPIHono<AppEnv>) {
  app.openapi(whoamiRoute, (c) => {
    const caller = c.get("caller");
    return c.json(
      {
        organizationId: caller.organizationId,
        organizationName: caller.organizationName,
        apiKeyId: caller.apiKeyId,
        actorType: caller.actorType,
        scopes: caller.scopes,
        rateLimitTier: caller.rateLimitTier,
        env: caller.env,
      },
      200,
    );
  });
}
