/**
 * Owns the campaign-level tactical writes beside the budget: `PATCH …/schedule` (flight dates)
 * and `PATCH …/bid-strategy`, each sent where the platform keeps it (`domain/writes/schedule.ts`,
 * `domain/writes/bid-strategy.ts`).
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../http/context";
import { defineRoute } from "../../http/route";
import { CampaignParams } from "../schemas";
import { BidStrategySchema, WriteAcceptedSchema } from "./schemas";
import { submitCampaignWrite, WRITE_DESCRIPTION } from "./write";

const Timestamp = z.iso.datetime({ message: "ISO 8601 UTC timestamp ending in Z" });

export const CampaignSchedulePatchSchema = z
  .object({
    startTime: Timestamp.optional(),
    endTime: Timestamp.nullable().optional().openapi({
      description:
        "null removes the end (TikTok, Apple; not with a lifetime budget). Meta ends can be moved, not removed.",
    }),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: "At least one schedule field." })
  .openapi("CampaignSchedulePatch", {
    description:
      "The campaign's flight dates. Meta and Apple: the campaign's own `start_time`/`stop_time` (`startTime`/`endTime`); its ad sets keep theirs and the platform clips them to it. TikTok campaigns have no dates: every ad group of the campaign takes them (`/adgroup/update/`). Dayparts are per ad set (`PATCH …/adsets/{adsetId}/schedule`).",
  });

export const updateCampaignScheduleRoute = defineRoute(
  {
    scope: "ads:write:budgets",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "updateCampaignSchedule",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/schedule",
    tags: ["Campaign writes"],
    summary: "Change a campaign's flight dates (tactical)",
    description: `${WRITE_DESCRIPTION} actionType \`update_schedule\` (entityType \`campaign\`).`,
    request: {
      params: CampaignParams,
      body: { required: true, content: { "application/json": { schema: CampaignSchedulePatchSchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export const updateBidStrategyRoute = defineRoute(
  {
    scope: "ads:write:budgets",
    endpointClass: "write",
    errors: ["NOT_FOUND", "AUTHORITY_DENIED"],
    dryRun: true,
  },
  {
    method: "patch",
    operationId: "updateCampaignBidStrategy",
    path: "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/bid-strategy",
    tags: ["Campaign writes"],
    summary: "Change a campaign's bid strategy (tactical)",
    description: `${WRITE_DESCRIPTION} actionType \`update_bid_strategy\`. The whole strategy is replaced and shown on the campaign and on each of its ad sets. Where it is sent: Meta with an Advantage campaign budget (\`budgetLevel: campaign\`) the campaign's \`bid_strategy\`, a cap's \`bid_amount\` / \`bid_constraints\` on each ad set; Meta with ad set budgets every ad set's \`bid_strategy\`; TikTok every ad group's \`bid_type\` (+ \`bid_price\`, or \`conversion_bid_price\` on OCPM ad groups); Apple the campaign's \`biddingStrategy\` (+ \`targetCpa\`), its ad groups keep their default bid.`,
    request: {
      params: CampaignParams,
      body: { required: true, content: { "application/json": { schema: BidStrategySchema } } },
    },
    responses: {
      202: { description: "Accepted.", content: { "application/json": { schema: WriteAcceptedSchema } } },
    },
  },
);

export function registerCampaignTactics(app: OpenAPIHono<AppEnv>) {
  app.openapi(updateCampaignScheduleRoute, async (c) =>
    c.json(await submitCampaignWrite(c, c.req.valid("param"), "update_schedule", c.req.valid("json")), 202),
  );
  app.openapi(updateBidStrategyRoute, async (c) =>
    c.json(
      await submitCampaignWrite(c, c.req.valid("param"), "update_bid_strategy", c.req.valid("json")),
      202,
    ),
  );
}
