import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { listAuditEvents } from "../../db/audit";
import type { ChainedAuditEvent } from "../../domain/audit-chain";
import { type IdKind, isId } from "../../domain/ids";
import type { AppEnv } from "../../http/context";
import { decodeCursor, nextCursor } from "../../http/cursor";
import { defineRoute } from "../../http/route";
import { cursorParam, limitParam, pageSchema } from "../schemas";

export const AuditEventSchema = z
  .object({
    eventId: z.string().openapi({ example: "evt_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
    eventType: z.string().openapi({ example: "api_key.killed" }),
    occurredAt: z.string().openapi({ format: "date-time", example: "2025-01-15T09:30:00.000Z" }),
    requestId: z
      .string()
      .nullable()
      .openapi({ description: "Null for events the system raised on its own." }),
    organizationId: z.string(),
    projectId: z.string().nullable(),
    apiKeyId: z.string().nullable().openapi({ description: "The key that acted; null for system events." }),
    actorType: z.enum(["partner", "user", "system"]).nullable(),
    verdictId: z
      .string()
      .optional()
      .openapi({ description: "Present only on events that record or follow from a gate verdict." }),
    data: z.record(z.string(), z.unknown()).openapi({ description: "Event-specific details." }),
  })
  .openapi("AuditEvent");

export const AuditLogPageSchema = pageSchema(AuditEventSchema, "AuditLogPage");

const CursorSchema = z.object({ occurredAt: z.string().min(1).max(64), eventId: z.string().min(1).max(64) });

/**
 * An ISO 8601 date-time (Z or an offset), normalized to the stored form (`toISOString`) so
 * that it compares correctly with `occurredAt` as text. `roundUp` turns a sub-millisecond
 * lower bound into the next millisecond, so `since` never admits an earlier event.
 */
const timestampParam = (name: string, roundUp: boolean, description: string) =>
  z.iso
    .datetime({ offset: true, message: "ISO 8601 date-time with Z or an offset, e.g. 2025-01-15T09:30:00Z." })
    .transform((value) => {
      const fraction = /\.(\d+)/.exec(value)?.[1] ?? "";
      const subMillisecond = /[1-9]/.test(fraction.slice(3));
      return new Date(Date.parse(value) + (roundUp && subMillisecond ? 1 : 0)).toISOString();
    })
    .optional()
    .openapi({
      param: { name, in: "query" },
      type: "string",
      format: "date-time",
      example: "2025-01-15T09:30:00Z",
      description,
    });

const idFilter = (name: string, kind: IdKind, example: string) =>
  z
    .string()
    .refine((value) => isId(kind, value), `Not a well-formed ${name}.`)
    .optional()
    .openapi({ param: { name, in: "query" }, example });

const AuditLogQuerySchema = z
  .object({
    eventType: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ param: { name: "eventType", in: "query" }, example: "verdict" }),
    projectId: idFilter("projectId", "project", "prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F"),
    apiKeyId: idFilter("apiKeyId", "apiKey", "key_01JD2V4W3X5Y6Z7A8B9C0D1E2F"),
    since: timestampParam("since", true, "Only events at or after this instant."),
    until: timestampParam("until", false, "Only events at or before this instant."),
    cursor: cursorParam,
    limit: limitParam(200, 50),
  })
  .refine((q) => !q.since || !q.until || q.since <= q.until, {
    path: ["until"],
    message: "until must not be before since.",
  });

export const listAuditLogRoute = defineRoute(
  { scope: "audit:read", endpointClass: "read", errors: ["VALIDATION"] },
  {
    method: "get",
    operationId: "listAuditLog",
    path: "/v1/audit-log",
    tags: ["Audit log"],
    summary: "List the organization's audit events, newest first",
    description:
      "Every gate verdict, authority and defaults change, pending decision, job outcome, key kill and failed authentication of the caller's organization. Ordered by `occurredAt` descending, then `eventId` ascending; pages are keyset-based, so events recorded while paging never shift or repeat items.",
    request: { query: AuditLogQuerySchema },
    responses: {
      200: {
        description: "A page of audit events.",
        content: { "application/json": { schema: AuditLogPageSchema } },
      },
    },
  },
);

export function presentAuditEvent(event: ChainedAuditEvent): z.infer<typeof AuditEventSchema> {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    requestId: event.requestId,
    organizationId: event.organizationId,
    projectId: event.projectId,
    apiKeyId: event.apiKeyId,
    actorType: event.actorType as z.infer<typeof AuditEventSchema>["actorType"],
    ...(event.verdictId ? { verdictId: event.verdictId } : {}),
    data: event.data,
  };
}

export function registerListAuditLog(app: OpenAPIHono<AppEnv>) {
  app.openapi(listAuditLogRoute, async (c) => {
    const query = c.req.valid("query");
    const after = query.cursor ? decodeCursor(query.cursor, CursorSchema) : undefined;
    const { events, hasMore } = await listAuditEvents(c.env.DB, {
      organizationId: c.get("caller").organizationId,
      eventType: query.eventType,
      projectId: query.projectId,
      apiKeyId: query.apiKeyId,
      since: query.since,
      until: query.until,
      after,
      limit: query.limit,
    });
    return c.json(
      {
        items: events.map(presentAuditEvent),
        nextCursor: nextCursor(events, hasMore, (last) => ({
          occurredAt: last.occurredAt,
          eventId: last.eventId,
        })),
      },
      200,
    );
  });
}
