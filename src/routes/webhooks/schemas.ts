/** Shapes of the webhook endpoints and deliveries resources. */
import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENT_TYPES } from "../../webhooks/catalogue";

const example = (id: string) => ({
  param: { name: id, in: "path" as const },
  example: `${id === "endpointId" ? "whe" : "whd"}_01JD2V4W3X5Y6Z7A8B9C0D1E2F`,
});

export const EndpointParams = z.object({ endpointId: z.string().openapi(example("endpointId")) });
export const DeliveryParams = z.object({ deliveryId: z.string().openapi(example("deliveryId")) });

const EventNameSchema = z
  .string()
  .refine((name) => name === "*" || (WEBHOOK_EVENT_TYPES as readonly string[]).includes(name), {
    message: `Unknown event name; use "*" or one of: ${WEBHOOK_EVENT_TYPES.join(", ")}.`,
  });

export const EventsSchema = z
  .array(EventNameSchema)
  .min(1)
  .max(50)
  .refine((events) => !events.includes("*") || events.length === 1, { message: '"*" stands alone.' })
  .openapi({ example: ["job.completed", "job.failed"] });

export const CreateEndpointBodySchema = z
  .object({
    url: z.string().min(1).max(2048).openapi({ example: "https://partner.example.com/webhooks/ads" }),
    events: EventsSchema,
    description: z.string().max(500).optional(),
    projectId: z.string().optional().openapi({ description: "Only events of this project." }),
  })
  .strict()
  .openapi("WebhookEndpointCreate");

export const PatchEndpointBodySchema = z
  .object({
    url: z.string().min(1).max(2048).optional(),
    events: EventsSchema.optional(),
    description: z.string().max(500).nullable().optional(),
    status: z
      .enum(["active", "disabled"])
      .optional()
      .openapi({ description: "`active` also resumes an auto-paused endpoint." }),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "Change at least one field." })
  .openapi("WebhookEndpointPatch");

export const EndpointSchema = z
  .object({
    endpointId: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    projectId: z.string().nullable(),
    status: z.enum(["active", "disabled", "auto_paused"]),
    mode: z.enum(["live", "test"]).openapi({ description: "The env of the key that created it." }),
    consecutiveFailures: z.number().int(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "Until then deliveries are also signed with the previous secret." }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookEndpoint");

export const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: "The signing secret, shown only now.", example: "whsec_…" }),
}).openapi("WebhookEndpointWithSecret");

export const DeliverySchema = z
  .object({
    deliveryId: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    replayOf: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("WebhookDelivery");

export const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { "application/json": { schema } },
});
