/**
 * Owns the shared path of every gated ad write: the ad (or, for a push, the ad set) and its
 * campaign, the creative a push or replace uses checked against the platform (422), the
 * campaign object's one pipeline, the 202.
 */
import type { Context } from "hono";
import { findAdOwner } from "../../db/ads";
import { findAdsetCampaign } from "../../db/adsets";
import { type CreativeRow, findCreative } from "../../db/creatives";
import type { CreativeSnapshot } from "../../domain/ad-model";
import type { ActionType, ActionValue } from "../../domain/campaign-model";
import { type CallToAction, type CreativeFormat, platformCreativeIssues } from "../../domain/creative-rules";
import { isId } from "../../domain/ids";
import type { Platform } from "../../domain/platform-rules";
import type { AppEnv } from "../../http/context";
import { notFound, validationError } from "../../http/errors";
import { submitCampaignWrite } from "../campaigns/write";
import { requireProject } from "../lookups";

type AdAction = Extract<
  ActionType,
  "push_creative" | "replace_creative" | "prune_creative" | "pause_ad" | "resume_ad" | "delete_ad"
>;

/** Where the write lands: an existing ad, or (a push) an ad set that gets a new ad. */
export type AdWriteTarget =
  | { projectId: string; platform: Platform; adId: string }
  | { projectId: string; platform: Platform; adsetId: string };

export async function submitAdWrite(
  c: Context<AppEnv>,
  params: AdWriteTarget,
  action: AdAction,
  value: ActionValue | ((project: { id: string }) => Promise<ActionValue>),
) {
  const caller = c.get("caller");
  const onAd = "adId" in params;
  if (onAd ? !isId("ad", params.adId) : !isId("adset", params.adsetId))
    throw notFound(onAd ? "Ad" : "Ad set");
  const project = await requireProject(c.env.DB, caller, params.projectId);
  const campaignId = onAd
    ? (await findAdOwner(c.env.DB, project.id, params.platform, params.adId))?.campaignId
    : await findAdsetCampaign(c.env.DB, project.id, params.platform, params.adsetId);
  if (!campaignId) throw notFound(onAd ? "Ad" : "Ad set");
  const resolved = typeof value === "function" ? await value(project) : value;
  const campaignParams = { projectId: params.projectId, platform: params.platform, campaignId };
  const adId = onAd ? params.adId : (resolved as { adId: string }).adId;
  // Judged against the parent campaign's authority, by the campaign object that owns the ad.
  return submitCampaignWrite(c, campaignParams, action, resolved, {
    ...(onAd ? {} : { adsetId: params.adsetId }),
    adId,
  });
}

/** The library creative, fit for `platform`, as the ad's copy; 404 / 422 otherwise. */
export async function creativeFor(
  db: D1Database,
  projectId: string,
  creativeId: string,
  platform: Platform,
): Promise<CreativeSnapshot> {
  const row = isId("creative", creativeId) ? await findCreative(db, projectId, creativeId) : null;
  if (!row) throw notFound("Creative");
  const snapshot = snapshotOf(row);
  const issues = platformCreativeIssues(snapshot, platform);
  if (issues.length > 0) {
    throw validationError(
      issues.map((i) => ({ location: "body", path: `creative.${i.path}`, message: i.message })),
    );
  }
  return snapshot;
}

function snapshotOf(row: CreativeRow): CreativeSnapshot {
  return {
    creativeId: row.id,
    name: row.name,
    format: row.format as CreativeFormat,
    mediaUrl: row.mediaUrl,
    thumbnailUrl: row.thumbnailUrl,
    primaryText: row.primaryText,
    headline: row.headline,
    description: row.description,
    callToAction: row.callToAction as CallToAction,
    linkUrl: row.linkUrl,
  };
}

export const AD_WRITE_DESCRIPTION =
  "Judged by the parent campaign's authority block: `auto` dispatches (job `queued`), `draft` queues a pending action with `entityType: \"ad\"` and the current and new value (job `awaiting_approval`, `pendingId` in the answer), `off` — or the customer's kill switch, or partner writes turned off — denies with 403 AUTHORITY_DENIED. Every outcome has a verdict. Apple has no ads (its creative-axis object is the keyword): its ad paths answer 404, a push there 422.";
