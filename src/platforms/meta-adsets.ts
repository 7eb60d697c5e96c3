/**
 * Owns the Meta ad set requests: `POST /act_{id}/adsets` form fields from our ad set (with the
 * `[lp:…]` name tag a retried create finds it by), and every request on an existing ad set,
 * plus the campaign-level schedule and bid strategy, which reach ad sets on Meta.
 */
import { META_ADVANTAGE_AUDIENCE } from "../domain/adset-defaults";
import type { AdsetSchedule, AdsetSpec } from "../domain/adset-model";
import { toMetaAmount } from "../domain/money";
import { idField, isRecord, PlatformFailure, sha256, stringField, toHex, transientFailure } from "./http";
import type {
  AdAccountConnection,
  CampaignSpec,
  DispatchContext,
  PlatformOperation,
  PlatformResult,
} from "./types";

/** What the adapter lends the ad set requests: Graph calls with its token and error handling. */
export interface MetaGraph {
  get(path: string, query: Record<string, string>): Promise<unknown>;
  post(path: string, params: URLSearchParams): Promise<unknown>;
  delete(path: string): Promise<unknown>;
}

/**
 * Meta has no idempotency key on create: every ad set we create ends its name with a tag from
 * the job's key and our ad set id (like the campaign's, `metaIdempotencyTag`), and a retried
 * create first looks for the campaign's ad set carrying it.
 */
export async function metaAdsetTag(idempotencyKey: string, adsetId: string): Promise<string> {
  const digest = await sha256(`meta-adset:${idempotencyKey}:${adsetId}`);
  return `[lp:${toHex(digest).slice(0, 12)}]`;
}

const META_DESTINATIONS: Record<string, string> = { traffic: "WEBSITE", lead_generation: "ON_AD" };

/** Our gender words to Meta's `genders` numbers (1 men, 2 women: Unconfirmed). */
const META_GENDERS: Record<string, number> = { male: 1, female: 2 };

export function metaTargeting(targeting: Record<string, unknown>): Record<string, unknown> {
  const countries = Array.isArray(targeting.countries) ? targeting.countries : [];
  const out: Record<string, unknown> = {
    geo_locations: { countries },
    targeting_automation: { advantage_audience: META_ADVANTAGE_AUDIENCE },
  };
  if (typeof targeting.ageMin === "number") out.age_min = targeting.ageMin;
  if (typeof targeting.ageMax === "number") out.age_max = targeting.ageMax;
  if (Array.isArray(targeting.genders)) {
    const genders = targeting.genders.flatMap((g) =>
      typeof g === "string" && META_GENDERS[g] ? [META_GENDERS[g]] : [],
    );
    if (genders.length > 0 && genders.length < 2) out.genders = genders;
  }
  // "automatic" = omitted placement fields = Advantage+ placements; a list names publisher platforms.
  if (Array.isArray(targeting.placements)) out.publisher_platforms = targeting.placements;
  return out;
}

export function buildAdsetParams(
  campaign: CampaignSpec,
  platformCampaignId: string,
  adset: AdsetSpec,
  account: AdAccountConnection,
  tag?: string,
): URLSearchParams {
  const params = new URLSearchParams({
    name: tag ? `${adset.name} ${tag}` : adset.name,
    campaign_id: platformCampaignId,
    optimization_goal: adset.optimizationGoal,
    billing_event: adset.billingEvent,
    targeting: JSON.stringify(metaTargeting(adset.targeting)),
    status: "ACTIVE",
  });
  const destination = META_DESTINATIONS[campaign.outcome];
  if (destination) params.set("destination_type", destination);
  if (adset.promotedObject) params.set("promoted_object", JSON.stringify(adset.promotedObject));
  if (adset.schedule.startTime) params.set("start_time", adset.schedule.startTime);
  if (adset.schedule.endTime) params.set("end_time", adset.schedule.endTime);
  if (adset.schedule.dayparts?.length) {
    params.set("adset_schedule", metaAdsetSchedule(adset.schedule));
    params.set("pacing_type", JSON.stringify(["day_parting"]));
  }
  // With an Advantage campaign budget the bid strategy and budget live on the campaign.
  if (adset.dailyBudgetCents !== null) {
    params.set("daily_budget", String(toMetaAmount(adset.dailyBudgetCents, account.currency)));
  }
  if (adset.lifetimeBudgetCents !== null) {
    params.set("lifetime_budget", String(toMetaAmount(adset.lifetimeBudgetCents, account.currency)));
  }
  const hasAdsetBudget = adset.dailyBudgetCents !== null || adset.lifetimeBudgetCents !== null;
  if (hasAdsetBudget) {
    for (const [k, v] of metaBidParams(adset.bidStrategy, account, true)) params.set(k, v);
  } else {
    // Under an Advantage campaign budget a cap's amount is still the ad set's.
    for (const [k, v] of metaBidParams(adset.bidStrategy, account, false)) params.set(k, v);
  }
  return params;
}

/** `adset_schedule` from our dayparts: Meta's days are 0 = Sunday too; times in the viewer's zone. */
export function metaAdsetSchedule(schedule: AdsetSchedule): string {
  return JSON.stringify(
    (schedule.dayparts ?? []).map((d) => ({
      start_minute: d.startMinute,
      end_minute: d.endMinute,
      days: [d.dayOfWeek],
      // Unconfirmed choice: the person's own time zone rather than the ad account's.
      timezone_type: "USER",
    })),
  );
}

/**
 * Bid fields: `bid_strategy` (only where the ad set carries it) and the amount its type needs,
 * `bid_amount` in minor units or `bid_constraints.roas_average_floor` (roasFloor × 10000:
 * Unconfirmed scale).
 */
export function metaBidParams(
  bid: Record<string, unknown>,
  account: AdAccountConnection,
  withStrategy: boolean,
): [string, string][] {
  const out: [string, string][] = [];
  if (withStrategy && typeof bid.type === "string") out.push(["bid_strategy", bid.type]);
  if (typeof bid.bidAmountCents === "number") {
    out.push(["bid_amount", String(toMetaAmount(bid.bidAmountCents, account.currency))]);
  }
  if (typeof bid.roasFloor === "number") {
    out.push(["bid_constraints", JSON.stringify({ roas_average_floor: Math.round(bid.roasFloor * 10000) })]);
  }
  return out;
}

function budgetParams(
  op: { dailyBudgetCents?: number; lifetimeBudgetCents?: number },
  account: AdAccountConnection,
): URLSearchParams {
  const params = new URLSearchParams();
  if (op.dailyBudgetCents !== undefined) {
    params.set("daily_budget", String(toMetaAmount(op.dailyBudgetCents, account.currency)));
  }
  if (op.lifetimeBudgetCents !== undefined) {
    params.set("lifetime_budget", String(toMetaAmount(op.lifetimeBudgetCents, account.currency)));
  }
  return params;
}

type AdsetOperation = Extract<
  PlatformOperation,
  {
    type:
      | "create_adset"
      | "update_adset_targeting"
      | "update_adset_budget"
      | "update_adset_schedule"
      | "pause_adset"
      | "resume_adset"
      | "delete_adset"
      | "update_campaign_schedule"
      | "update_bid_strategy";
  }
>;

export function isMetaAdsetOperation(op: PlatformOperation): op is AdsetOperation {
  return (
    op.type.endsWith("_adset") ||
    op.type.startsWith("update_adset_") ||
    op.type === "update_campaign_schedule" ||
    op.type === "update_bid_strategy"
  );
}

/** Carries out an ad set-level operation (or one that reaches ad sets) through the adapter's Graph calls. */
export async function runMetaAdsetOperation(
  op: AdsetOperation,
  account: AdAccountConnection,
  context: DispatchContext,
  graph: MetaGraph,
): Promise<PlatformResult> {
  const { platformCampaignId } = op;
  switch (op.type) {
    case "create_adset": {
      const tag = await metaAdsetTag(context.idempotencyKey, op.adset.adsetId);
      if (context.attempt > 1) {
        const found = await findAdsetByTag(graph, platformCampaignId, tag);
        if (found !== undefined) return { ok: true, platformCampaignId, platformAdsetId: found };
      }
      const params = buildAdsetParams(op.campaign, platformCampaignId, op.adset, account, tag);
      const id = idField(await graph.post(`act_${account.externalId}/adsets`, params), "id");
      // Success without an id: the ad set may exist; the retry's lookup will find it.
      if (id === undefined)
        throw new PlatformFailure(transientFailure("Meta accepted the ad set but returned no id"));
      return { ok: true, platformCampaignId, platformAdsetId: id };
    }
    case "update_campaign_schedule": {
      const params = new URLSearchParams();
      if (op.startTime) params.set("start_time", op.startTime);
      // An end is never removed on Meta (refused before the gate): only moved.
      if (op.endTime) params.set("stop_time", op.endTime);
      await graph.post(platformCampaignId, params);
      return { ok: true, platformCampaignId };
    }
    case "update_bid_strategy": {
      const cbo = op.budgetLevel === "campaign";
      if (cbo && typeof op.bidStrategy.type === "string") {
        await graph.post(platformCampaignId, new URLSearchParams({ bid_strategy: op.bidStrategy.type }));
      }
      const params = metaBidParams(op.bidStrategy, account, !cbo);
      if (params.length > 0) {
        for (const adset of op.adsets) await graph.post(adset.platformAdsetId, new URLSearchParams(params));
      }
      return { ok: true, platformCampaignId };
    }
    default:
      return runOnAdset(op, account, graph);
  }
}

async function runOnAdset(
  op: Extract<AdsetOperation, { platformAdsetId: string }>,
  account: AdAccountConnection,
  graph: MetaGraph,
): Promise<PlatformResult> {
  const { platformCampaignId, platformAdsetId } = op;
  switch (op.type) {
    case "update_adset_targeting":
      await graph.post(
        platformAdsetId,
        new URLSearchParams({ targeting: JSON.stringify(metaTargeting(op.targeting)) }),
      );
      break;
    case "update_adset_budget":
      await graph.post(platformAdsetId, budgetParams(op, account));
      break;
    case "update_adset_schedule": {
      const params = new URLSearchParams();
      if (op.schedule.startTime) params.set("start_time", op.schedule.startTime);
      // An end is never removed on Meta (refused before the gate): only moved.
      if (op.schedule.endTime) params.set("end_time", op.schedule.endTime);
      // Dayparting exists only with the ad set's own lifetime budget (checked before the gate).
      if (op.adset.lifetimeBudgetCents !== null) {
        params.set("adset_schedule", metaAdsetSchedule(op.schedule));
        params.set(
          "pacing_type",
          JSON.stringify([op.schedule.dayparts?.length ? "day_parting" : "standard"]),
        );
      }
      await graph.post(platformAdsetId, params);
      break;
    }
    case "delete_adset":
      await graph.delete(platformAdsetId);
      break;
    case "pause_adset":
    case "resume_adset":
      await graph.post(
        platformAdsetId,
        new URLSearchParams({ status: op.type === "pause_adset" ? "PAUSED" : "ACTIVE" }),
      );
      break;
  }
  return { ok: true, platformCampaignId, platformAdsetId };
}

async function findAdsetByTag(
  graph: MetaGraph,
  platformCampaignId: string,
  tag: string,
): Promise<string | undefined> {
  const body = await graph.get(`${platformCampaignId}/adsets`, {
    fields: "id,name",
    filtering: JSON.stringify([{ field: "name", operator: "CONTAIN", value: tag }]),
    limit: "25",
  });
  const adsets = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(adsets)) return undefined;
  // Checked again here so a filter the API ignored cannot make us adopt another ad set.
  const match = adsets.find((candidate) => stringField(candidate, "name")?.includes(tag));
  return match === undefined ? undefined : idField(match, "id");
}
