import { z } from "@hono/zod-openapi";
import type { PendingRow } from "../../db/campaigns";
import { ACTION_TYPES } from "../../domain/campaign-model";
import { ActorRefSchema, CampaignParams, PlatformSchema, ProjectPlatformParams } from "../schemas";

export const PENDING_STATUSES = [
  "pending",
  "approved",
  "rejected",
  "dispatched",
  "dispatch_failed",
  "expired",
] as const;

export const PendingActionSchema = z
  .object({
    pendingId: z.string(),
    actionType: z.enum(ACTION_TYPES),
    entityType: z.enum(["campaign", "adset", "ad"]),
    entityId: z.string(),
    entityName: z.string(),
    platform: PlatformSchema,
    jobId: z.string(),
    currentValue: z
      .unknown()
      .openapi({ description: "The value when the action was queued (null for a create)." }),
    newValue: z.unknown(),
    status: z.enum(PENDING_STATUSES),
    requestedBy: ActorRefSchema,
    createdAt: z.string(),
    expiresAt: z.string(),
    decidedAt: z.string().nullable(),
    // A union, not `.nullable()`: zod-openapi renders a nullable $ref as allOf [ref, object|null],
    // which no null satisfies.
    decidedBy: z.union([ActorRefSchema, z.null()]),
    dispatchedAt: z.string().nullable(),
    dispatchFailureReason: z.string().nullable(),
  })
  .openapi("PendingAction");

export const PendingParams = ProjectPlatformParams.extend({
  pendingId: z
    .string()
    .openapi({ param: { name: "pendingId", in: "path" }, example: "pa_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
});

export const DecisionResultSchema = z
  .object({
    pendingId: z.string(),
    status: z.enum(["approved", "rejected"]),
    dispatched: z.literal(false),
    dispatchedAt: z.null(),
    verdictId: z.string(),
    jobId: z.string(),
  })
  .openapi("PendingDecision");

export function presentPending(row: PendingRow, now: string): z.infer<typeof PendingActionSchema> {
  const expired = row.status === "pending" && row.expiresAt <= now;
  return {
    pendingId: row.id,
    actionType: row.actionType as z.infer<typeof PendingActionSchema>["actionType"],
    entityType: row.entityType === "adset" || row.entityType === "ad" ? row.entityType : "campaign",
    entityId: row.entityId,
    entityName: row.entityName,
    platform: row.platform as z.infer<typeof PlatformSchema>,
    jobId: row.jobId,
    currentValue: row.currentValue ?? null,
    newValue: row.newValue ?? null,
    status: expired ? "expired" : (row.status as z.infer<typeof PendingActionSchema>["status"]),
    requestedBy: row.requestedBy,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    decidedAt: row.decidedAt,
    decidedBy: row.decidedBy ?? null,
    dispatchedAt: row.dispatchedAt,
    dispatchFailureReason: row.dispatchFailureReason,
  };
}

export { CampaignParams };
