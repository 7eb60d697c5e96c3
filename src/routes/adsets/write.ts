/** Owns the shared path of every gated ad set write: its campaign, the campaign object's one pipeline, the 202. */
import type { Context } from "hono";
import { findAdsetCampaign } from "../../db/adsets";
import type { ActionType, ActionValue } from "../../domain/campaign-model";
import { isId } from "../../domain/ids";
import type { Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { notFound } from "../../http/errors";
import { submitCampaignWrite } from "../campaigns/write";
import { requireProject } from "../lookups";

export async function submitAdsetWrite(
  c: Context<AppEnv>,
  params: { projectId: string; platform: Platform; adsetId: string },
  action: Exclude<ActionType, "create_campaign">,
  value: ActionValue,
) {
  const caller = c.get("caller");
  if (!isId("adset", params.adsetId)) throw notFound("Ad set");
  const project = await requireProject(c.env.DB, caller, params.projectId);
  const campaignId = await findAdsetCampaign(c.env.DB, project.id, params.platform, params.adsetId);
  if (!campaignId) throw notFound("Ad set");
  const campaignParams = { projectId: params.projectId, platform: params.platform, campaignId };
  // Judged against the parent campaign's authority, by the campaign object that owns the ad set.
  return submitCampaignWrite(c, campaignParams, action, value, { adsetId: params.adsetId });
}

export const ADSET_WRITE_DESCRIPTION =
  "Judged by the parent campaign's authority block: `auto` dispatches (job `queued`), `draft` queues a pending action with `entityType: \"adset\"` (job `awaiting_approval`, `pendingId` in the answer), `off` — or the customer's kill switch, or partner writes turned off — denies with 403 AUTHORITY_DENIED. Every outcome has a verdict. An ad set not yet on the platform, or a deleted one, answers 409.";
