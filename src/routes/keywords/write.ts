/**
 * Owns `POST|PATCH|DELETE /v1/projects/:projectId/ads/apple/adsets/:adsetId/keywords`: Apple's
 * bulk keyword writes, each one gated write (creative axis) through the shared ad set write path.
 */
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import { newId } from "../../domain/ids";
import type { KeywordAddItem } from "../../domain/keyword-model";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { submitAdsetWrite } from "../adsets/write";
import { WriteAcceptedSchema } from "../campaigns/schemas";
import {
  AddKeywordsSchema,
  DeleteKeywordsSchema,
  KEYWORD_WRITE_DESCRIPTION,
  KeywordParams,
  UpdateKeywordsSchema,
} from "./schemas";

const KEYWORDS_PATH = "/v1/projects/{projectId}/ads/apple/adsets/{adsetId}/keywords";

function keywordRoute<const M extends "post" | "patch" | "delete">(
  method: M,
  operationId: string,
  summary: string,
  schema: z.ZodType,
) {
  return defineRoute(
    {
      scope: "ads:write:creative",
      endpointClass: "write",
      errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
      dryRun: true,
    },
    {
      method,
      operationId,
      path: KEYWORDS_PATH,
      tags: ["Keyword writes"],
      summary,
      description: KEYWORD_WRITE_DESCRIPTION,
      request: {
        params: KeywordParams,
        body: { required: true, content: { "application/json": { schema } } },
      },
      responses: {
        202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
      },
    },
  );
}

export const addKeywordsRoute = keywordRoute(
  "post",
  "addKeywords",
  "Add targeting keywords to an Apple ad group (creative; `add_keywords`)",
  AddKeywordsSchema,
);
export const updateKeywordsRoute = keywordRoute(
  "patch",
  "updateKeywords",
  "Change keywords' bids or status (creative; `update_keywords`)",
  UpdateKeywordsSchema,
);
export const deleteKeywordsRoute = keywordRoute(
  "delete",
  "deleteKeywords",
  "Delete keywords (creative; `delete_keywords`; soft: they stay listed with status deleted)",
  DeleteKeywordsSchema,
);

const apple = (params: { projectId: string; adsetId: string }) => ({ ...params, platform: "apple" as const });

export function registerKeywordWrites(app: OpenAPIHono<AppEnv>) {
  app.openapi(addKeywordsRoute, async (c) => {
    const body = AddKeywordsSchema.parse(c.req.valid("json"));
    // Each keyword gets its id now: the job's results and the pending action name it.
    const keywords: KeywordAddItem[] = body.keywords.map((k) => ({
      keywordId: newId("keyword"),
      text: k.text.trim().replace(/\s+/g, " "),
      matchType: k.matchType,
      bidAmountCents: k.bidAmountCents ?? null,
      status: k.status ?? "active",
    }));
    const params = apple(c.req.valid("param"));
    return c.json(await submitAdsetWrite(c, params, "add_keywords", { keywords }), 202);
  });
  app.openapi(updateKeywordsRoute, async (c) => {
    const body = UpdateKeywordsSchema.parse(c.req.valid("json"));
    const params = apple(c.req.valid("param"));
    return c.json(await submitAdsetWrite(c, params, "update_keywords", body), 202);
  });
  app.openapi(deleteKeywordsRoute, async (c) => {
    const body = DeleteKeywordsSchema.parse(c.req.valid("json"));
    const params = apple(c.req.valid("param"));
    return c.json(await submitAdsetWrite(c, params, "delete_keywords", body), 202);
  });
}
