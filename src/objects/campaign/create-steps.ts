/**
 * Owns the two steps of a create job: the campaign, then its default ad set. The campaign's
 * platform id is recorded (on the campaign and in the job's `result`) as soon as step 1
 * succeeds, so a retry after a step-2 failure resumes at the ad set and never creates the
 * campaign twice. The job completes only when both exist on the platform.
 */
import { type AdsetRecord, adsetSpec } from "../../domain/adset-model";
import type { JobRecord } from "../../domain/campaign-model";
import { campaignSpec } from "../../domain/writes/campaign";
import type { PlatformOperation } from "../../platforms/types";
import { jobEvent } from "./events";
import type { CampaignHost, Changes } from "./state";

/** The create job's default ad set, when the create made one. */
export function createdAdset(host: CampaignHost, job: JobRecord): AdsetRecord | null {
  if (job.actionType !== "create_campaign") return null;
  const id = (job.newValue as { adsetId?: unknown }).adsetId;
  return typeof id === "string" ? (host.state.adsets.get(id) ?? null) : null;
}

/**
 * Step 2's platform call, when step 1 already took place; `undefined` when the job is not
 * past its campaign step (its write description decides), null when nothing is left to send.
 */
export function adsetStep(host: CampaignHost, job: JobRecord): PlatformOperation | null | undefined {
  const campaign = host.state.existing;
  const adset = createdAdset(host, job);
  if (!adset || !campaign.platformCampaignId) return undefined;
  if (adset.platformAdsetId) return null;
  return {
    type: "create_adset",
    campaign: campaignSpec(campaign),
    platformCampaignId: campaign.platformCampaignId,
    adset: adsetSpec(adset),
  };
}

/**
 * Step 1 succeeded and an ad set is to follow: records the campaign's id and sends the job
 * straight on to step 2 (a fresh message, so the old one is recognised as spent).
 */
export function campaignStepDone(
  host: CampaignHost,
  job: JobRecord,
  platformCampaignId: string,
): Changes | null {
  const campaign = host.state.existing;
  if (!createdAdset(host, job) || campaign.platformCampaignId) return null;
  const now = new Date().toISOString();
  campaign.platformCampaignId = platformCampaignId;
  campaign.updatedAt = now;
  job.result = { platformCampaignId };
  // Each step has its own attempts and retry budget: `attempts` counts the current step's.
  Object.assign(job, {
    stage: "queued",
    attempts: 0,
    generation: job.generation + 1,
    updatedAt: now,
    nextAttemptAt: null,
  });
  return {
    campaign: true,
    jobs: [job],
    audit: [jobEvent(campaign, job, "job.progressed", { step: "campaign_created", platformCampaignId })],
  };
}

/** Step 2 succeeded: the ad set takes its platform id and goes live with the campaign. */
export function adsetStepDone(
  host: CampaignHost,
  job: JobRecord,
  platformAdsetId: string | undefined,
): AdsetRecord[] {
  const adset = createdAdset(host, job);
  if (!adset) return [];
  const now = new Date().toISOString();
  if (platformAdsetId) adset.platformAdsetId = platformAdsetId;
  Object.assign(adset, { status: "active", updatedAt: now });
  return [adset];
}

/** The create failed: its ad set did not make it either. */
export function adsetStepFailed(host: CampaignHost, job: JobRecord): AdsetRecord[] {
  const adset = createdAdset(host, job);
  if (!adset || adset.platformAdsetId) return [];
  Object.assign(adset, { status: "failed", updatedAt: new Date().toISOString() });
  return [adset];
}
