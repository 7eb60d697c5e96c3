/**
 * Owns `?dryRun=true` on every gated write: the query parameter, its 200 answer in the
 * OpenAPI document, the flag on the request context, and how the answer is sent.
 *
 * A route opts in with `dryRun: true` in its `defineRoute` access block; that adds the query
 * parameter, the 200 response and the `dryRunFlag` middleware (before idempotency, which a
 * dry run skips). The route's write helper (`submitCampaignWrite`, `submitAdsetWrite`) then
 * passes `dryRun` to the object, which validates and judges exactly as for the real call and
 * answers the decision instead of recording it; `unwrap` (routes/lookups.ts) throws it as a
 * `DryRunAnswer`, which the error envelope sends as 200, so nothing after it runs. A handler
 * with its own object call passes `dryRun: isDryRun(c)` and unwraps the same way; one judged
 * without an object (the create) throws `new DryRunAnswer(…)` after its last validation.
 */
import { type RouteConfig, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AXES, MODES } from "../domain/authority";
import type { DryRunDecision } from "../domain/dry-run";
import { DENY_REASONS } from "../domain/gate";
import type { AppEnv } from "./context";
import { schemaIssues, validationError } from "./errors";

export const DRY_RUN_NOTE =
  " With `?dryRun=true` the request is validated and judged exactly as the real call (the same 4xx: auth, scope, body, 404, 409, 412, 422) and answers 200 with the gate's decision (`allow`, `queue` or `deny` with its `reason`), changing and recording nothing: no verdict, audit event, job or pending action. A dry run ignores `Idempotency-Key` (never replayed, never stored) and counts against the rate limit.";

export const DryRunQuery = z.object({
  dryRun: z
    .enum(["true", "false"])
    .optional()
    .openapi({
      param: { name: "dryRun", in: "query" },
      description:
        "`true`: validate and judge only, answer the decision (200), change nothing. `false` or absent: the real call.",
      example: "true",
    }),
});

const ModeSchema = z.enum(MODES);

export const DryRunAnswerSchema = z
  .object({
    dryRun: z.literal(true),
    decision: z.enum(["allow", "queue", "deny"]).openapi({ description: "What the real call would do now." }),
    axis: z
      .enum(AXES)
      .nullable()
      .openapi({ description: "The axis judged; null for a policy change that names none." }),
    currentMode: ModeSchema.nullable().openapi({ description: "That axis's mode now." }),
    reason: z
      .enum(DENY_REASONS)
      .optional()
      .openapi({ description: "With `deny`: the reason the real call's 403 would give." }),
    noop: z.literal(true).optional().openapi({
      description:
        "The write would complete at once changing nothing (the campaign or ad set already is what it asks, and nothing is in line before it): no dispatch and no pending action, even in `draft`.",
    }),
    requestedMode: ModeSchema.optional(),
    ceilingMode: ModeSchema.optional().openapi({
      description: "With `exceeds_customer_policy`: the highest mode the caller may set.",
    }),
  })
  .openapi("DryRunAnswer", {
    description: "A dry run's answer: the gate's decision, nothing recorded.",
    example: { dryRun: true, decision: "queue", axis: "tactical", currentMode: "draft" },
  });

/** The 200 entry of a route that has no 200 of its own. */
export const dryRunResponse = {
  200: {
    description: "Dry run (`?dryRun=true`): the decision the real call would take; nothing changed.",
    content: { "application/json": { schema: DryRunAnswerSchema } },
  },
} as const;

/** Reads and checks `dryRun` before idempotency, so a bad value never claims a key. */
export const dryRunFlag = createMiddleware<AppEnv>(async (c, next) => {
  const values = c.req.queries("dryRun");
  if (values !== undefined) {
    const parsed = DryRunQuery.safeParse({ dryRun: values.length === 1 ? values[0] : values });
    if (!parsed.success) throw validationError(schemaIssues(parsed.error.issues, "query"));
    if (parsed.data.dryRun === "true") c.set("dryRun", true);
  }
  return next();
});

export const isDryRun = (c: Context<AppEnv>) => c.get("dryRun") === true;

/** Thrown once a dry run is judged; the error envelope answers it as 200. */
export class DryRunAnswer extends Error {
  constructor(readonly answer: DryRunDecision) {
    super("dry run");
    this.name = "DryRunAnswer";
  }

  respond(c: Context<AppEnv>): Response {
    c.header("X-Request-Id", c.get("requestId"));
    return c.json(this.answer, 200);
  }
}

type JsonResponse = { description: string; content?: { "application/json"?: { schema: z.ZodType } } };

/** The route with the `dryRun` query parameter, its 200 answer and the note in its description. */
export function withDryRun<R extends RouteConfig>(route: R): R {
  const request = route.request ?? {};
  const existingQuery = request.query as z.ZodObject | undefined;
  const query = existingQuery ? existingQuery.extend(DryRunQuery.shape) : DryRunQuery;
  const responses = { ...route.responses } as Record<string, JsonResponse>;
  const own = responses["200"] ?? responses[200];
  const ownSchema = own?.content?.["application/json"]?.schema;
  if (own && ownSchema) {
    // The real call answers 200 too (authority, defaults): either body, told apart by `dryRun`.
    delete responses[200];
    responses["200"] = {
      description: `${own.description} With \`?dryRun=true\`: the dry run's answer (\`DryRunAnswer\`).`,
      content: { "application/json": { schema: z.union([ownSchema, DryRunAnswerSchema]) } },
    };
  } else {
    Object.assign(responses, dryRunResponse);
  }
  return {
    ...route,
    description: `${route.description ?? ""}${DRY_RUN_NOTE}`.trim(),
    request: { ...request, query },
    responses,
  };
}
