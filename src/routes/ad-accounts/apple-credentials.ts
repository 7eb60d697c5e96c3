import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { connectAppleUser } from "../../connections/apple";
import { findAdAccount } from "../../db/tenancy";
import type { AppEnv } from "../../http/context";
import { ApiError, validationError } from "../../http/errors";
import { defineRoute } from "../../http/route";
import { requireProject } from "../lookups";
import { ProjectParams } from "../schemas";
import { AdAccountSchema, presentAdAccount } from "./schemas";

const AppleCredentialsBodySchema = z
  .object({
    clientId: z.string().min(1).max(256).openapi({ example: "SEARCHADS.27a2e4f0-…" }),
    teamId: z.string().min(1).max(256),
    keyId: z.string().min(1).max(256),
    privateKey: z.string().min(1).max(8192).openapi({
      description:
        "The API user's EC P-256 private key, PEM (PKCS#8 or SEC1). Stored encrypted; never shown again.",
    }),
  })
  .strict()
  .openapi("AppleCredentialsRequest");

export const appleCredentialsRoute = defineRoute(
  { scope: "ads:write:connect", endpointClass: "write", errors: ["NOT_FOUND"] },
  {
    method: "post",
    operationId: "connectAppleSearchAds",
    path: "/v1/projects/{projectId}/ads/ad-accounts/apple/credentials",
    tags: ["Ad accounts"],
    summary: "Connect Apple Search Ads with the customer's API user",
    description:
      "Apple Search Ads has no 3-legged OAuth. The credentials are proven with a token exchange (an ES256 client assertion) and the org listing; each org becomes an ad account and its campaigns are imported. A refusal by Apple answers 422 with `details.reason`.",
    request: {
      params: ProjectParams,
      body: { required: true, content: { "application/json": { schema: AppleCredentialsBodySchema } } },
    },
    responses: {
      201: {
        description: "The connected ad accounts, one per org.",
        content: { "application/json": { schema: z.object({ adAccounts: z.array(AdAccountSchema) }) } },
      },
    },
  },
);

export function registerAppleCredentials(app: OpenAPIHono<AppEnv>) {
  app.openapi(appleCredentialsRoute, async (c) => {
    const { projectId } = c.req.valid("param");
    const body = c.req.valid("json");
    const caller = c.get("caller");
    const project = await requireProject(c.env.DB, caller, projectId);
    const result = await connectAppleUser(c.env, caller, {
      projectId: project.id,
      requestId: c.get("requestId"),
      ...body,
    });
    if (!result.ok) {
      if (result.reason === "invalid_private_key") {
        throw validationError([{ location: "body", path: "privateKey", message: result.message }]);
      }
      throw new ApiError(
        "VALIDATION",
        `Apple Search Ads did not accept these credentials: ${result.message}`,
        {
          reason: result.reason,
          ...(result.platformCode ? { platformCode: result.platformCode } : {}),
        },
      );
    }
    const rows = await Promise.all(result.adAccountIds.map((id) => findAdAccount(c.env.DB, project.id, id)));
    return c.json({ adAccounts: rows.flatMap((r) => (r ? [presentAdAccount(r)] : [])) }, 201);
  });
}
