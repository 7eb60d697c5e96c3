/** Owns the shared path of every gated ad set write: its campaign, the campaign object's one pipeline, the 202. */
import type { Context } from "hono";
import { findAdsetCampaign } from "../../db/adsets";
import type { ActionType, ActionValue } from "../../domain/campaign-model";
import { isId, newId } from "../../domain/ids";
import type { Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { isDryRun } from "../../http/dry-run";
import { notFound } from "../../http/errors";
import { campaignObject } from "../../objects/campaign";
import { noteVerdict } from "../../observability/request-log";
import { requestMeta, requireCampaignContext, requireProject, unwrap } from "../lookups";

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
  // The account's connection is judged by the campaign object from the layer's memory.
  const { layer, scope } = await requireCampaignContext(c.env, caller, campaignParams);
  // Judged against the parent campaign's authority, by the campaign object that owns the ad set.
  const { accepted } = unwrap(
    await campaignObject(c.env, campaignId).submitWrite({
      scope,
      action,
      adsetId: params.adsetId,
      value,
      layer,
      verdictId: newId("verdict"),
      jobId: newId("job"),
      meta: requestMeta(caller, c.get("requestId")),
      dryRun: isDryRun(c),
    }),
  );
  noteVerdict(c, accepted.pendingId ? "queue" : "allow", accepted.verdictId);
  c.header("Location", `/v1/jobs/${accepted.jobId}`);
  return accepted;
}

export const ADSET_WRITE_DESCRIPTION =
  "Judged by the parent campaign's authority block: `auto` dispatches (job `queued`), `draft` queues a pending action with `entityType: \"adset\"` (job `awaiting_approval`, `pendingId` in the answer), `off` — or the customer's kill switch, or partner writes turned off — denies with 403 AUTHORITY_DENIED. Every outcome has a verdict. An ad set not yet on the platform, or a deleted one, answers 409.";
