/**
 * Owns the declaration every pause / resume / delete route shares (campaign, ad set, ad): a
 * structural write whose body, when sent, must be an empty object, answering 202 with its job.
 */
import { z } from "@hono/zod-openapi";
import { defineRoute } from "../http/route";
import { WriteAcceptedSchema } from "./campaigns/schemas";

/** No fields: a body, when sent, must be an empty object (unknown fields are refused, as on create). */
const NoFieldsBody = z.object({}).strict().openapi("NoFields");

/** The lifecycle routes of one level: its tag, its write description, its path parameters. */
export function lifecycleRoutes<const Params extends z.ZodObject>(level: {
  tag: string;
  description: string;
  params: Params;
}) {
  return <const M extends "post" | "delete", const P extends string>(
    method: M,
    path: P,
    operationId: string,
    summary: string,
  ) =>
    defineRoute(
      {
        scope: "ads:write:lifecycle",
        endpointClass: "write",
        errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
        dryRun: true,
      },
      {
        method,
        operationId,
        path,
        tags: [level.tag],
        summary,
        description: level.description,
        request: {
          params: level.params,
          body: { required: false, content: { "application/json": { schema: NoFieldsBody } } },
        },
        responses: {
          202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
        },
      },
    );
}
