/**
 * The shared path of every gated write (campaign, ad set, ad, keyword): context, the
 * campaign object that owns the whole tree, the 202.
 */
import type { Context } from "hono";
import type { ActionType, ActionValue } from "../../domain/campaign-model";
import { newId } from "../../domain/ids";
import type { Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { isDryRun } from "../../http/dry-run";
import { campaignObject } from "../../objects/campaign";
import { noteVerdict } from "../../observability/request-log";
import { requestMeta, requireCampaignContext, unwrap } from "../lookups";
import { CampaignParams } from "../schemas";

export async function submitCampaignWrite(
  c: Context<AppEnv>,
  params: { projectId: string; platform: Platform; campaignId: string },
  action: Exclude<ActionType, "create_campaign">,
  value: ActionValue,
  /** What below the campaign the write acts on. */
  within: { adsetId?: string; adId?: string } = {},
) {
  const caller = c.get("caller");
  // The account's connection is judged by the campaign object from the layer's memory: no D1 read.
  const { layer, scope } = await requireCampaignContext(c.env, caller, params);
  const { accepted } = unwrap(
    await campaignObject(c.env, params.campaignId).submitWrite({
      scope,
      action,
      ...within,
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

/** The campaign path parameters, already validated by the route's schema. */
export function campaignParams(c: Context<AppEnv>) {
  return CampaignParams.parse(c.req.param());
}

export const WRITE_DESCRIPTION =
  "Judged by the campaign's authority block: `auto` dispatches (job `queued`), `draft` queues a pending action (job `awaiting_approval`, `pendingId` in the answer), `off` — or the customer's kill switch, or partner writes turned off — denies with 403 AUTHORITY_DENIED. Every outcome has a verdict. A deleted campaign answers 409.";
