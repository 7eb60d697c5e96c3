/** The campaign as the API shows it, from its D1 row and (when unpinned) its layer's defaults. */
import type { z } from "@hono/zod-openapi";
import type { CampaignRow } from "../../db/campaigns";
import type { AuthorityBlock } from "../../domain/authority";
import type { CampaignSchema } from "./schemas";

type CampaignView = z.infer<typeof CampaignSchema>;

/** What a campaign view is made of: a D1 row, or the campaign object's record. */
type CampaignFacts = Pick<
  CampaignRow,
  | "id"
  | "projectId"
  | "platform"
  | "adAccountId"
  | "name"
  | "outcome"
  | "status"
  | "dailyBudgetCents"
  | "lifetimeBudgetCents"
  | "startTime"
  | "endTime"
  | "bidStrategy"
  | "targeting"
  | "platformSettings"
  | "metadata"
  | "authority"
  | "platformCampaignId"
  | "createdAt"
  | "updatedAt"
>;

export function presentCampaign(row: CampaignFacts, layerDefaults: AuthorityBlock): CampaignView {
  return {
    campaignId: row.id,
    projectId: row.projectId,
    platform: row.platform as CampaignView["platform"],
    adAccountId: row.adAccountId,
    name: row.name,
    outcome: row.outcome as CampaignView["outcome"],
    status: row.status as CampaignView["status"],
    dailyBudgetCents: row.dailyBudgetCents,
    lifetimeBudgetCents: row.lifetimeBudgetCents,
    startTime: row.startTime,
    endTime: row.endTime,
    bidStrategy: row.bidStrategy,
    targeting: row.targeting,
    platformSettings: row.platformSettings,
    budgetLevel: row.dailyBudgetCents !== null || row.lifetimeBudgetCents !== null ? "campaign" : "adset",
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, unknown>),
    authority: row.authority ?? layerDefaults,
    authoritySource: row.authority ? "per_campaign" : "layer_defaults",
    platformCampaignId: row.platformCampaignId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
