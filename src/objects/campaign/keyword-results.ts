/** Owns what a settling write reports in its job's `result`, and which keywords its commit carries. */
import type { JobRecord } from "../../domain/campaign-model";
import type { WriteTarget } from "../../domain/writes/index";
import { isKeywordAction, keywordJobResults } from "../../domain/writes/keywords";
import type { PlatformSuccess } from "../../domain/writes/types";
import type { CampaignHost } from "./state";

/** The keywords a settling keyword job addressed, for its commit. */
export function touchedKeywords(host: CampaignHost, job: JobRecord) {
  return (job.result?.keywords ?? []).flatMap((r) => {
    const k = host.state.keywords.get(r.keywordId);
    return k ? [k] : [];
  });
}

/**
 * A settled write's `result`: the campaign's platform id; for an ad write the ad's ids; for a
 * keyword write one result per keyword.
 */
export function settledResult(
  job: JobRecord,
  target: WriteTarget,
  outcome: PlatformSuccess | null,
): JobRecord["result"] {
  const { platformCampaignId } = target.campaign;
  // Nothing on the platform (its create failed): the job keeps what it had.
  if (!platformCampaignId) return job.result;
  if (target.ad) {
    const { id: adId, platformAdId } = target.ad;
    return { platformCampaignId, adId, ...(platformAdId ? { platformAdId } : {}) };
  }
  if (!isKeywordAction(job.actionType)) return { platformCampaignId };
  const outcomes = outcome?.keywords ?? null;
  return { platformCampaignId, keywords: keywordJobResults(job.actionType, target, job.newValue, outcomes) };
}
