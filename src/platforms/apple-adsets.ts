/**
 * Owns the Apple ad group requests: `POST /campaigns/{cid}/adgroups` from our ad set (a retried
 * create first finds its ad group by name), every request on an existing ad group, and the
 * campaign-level schedule and bid strategy (both on the Apple campaign).
 */
import { APPLE_DEFAULT_BID_CENTS } from "../domain/adset-defaults";
import type { AdsetSchedule, AdsetSpec, Daypart } from "../domain/adset-model";
import { toAppleAmount } from "../domain/money";
import { weekSlots } from "../domain/schedule-rules";
import {
  idField,
  isRecord,
  LOCAL_CODES,
  PlatformFailure,
  type PlatformResponse,
  rejectedFailure,
  stringField,
  transientFailure,
} from "./http";
import type { AdAccountConnection, DispatchContext, PlatformOperation, PlatformResult } from "./types";

/** What the adapter lends the ad group requests: authenticated calls with its error handling. */
export type AppleCall = (
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
  options?: { allowNotFound?: boolean },
) => Promise<PlatformResponse>;

/** Unconfirmed: how far ahead a start "now" is moved, since Apple wants a start in the future. */
export const APPLE_START_LEAD_MS = 60_000;

const APPLE_GENDERS: Record<string, string> = { male: "M", female: "F" };

/** Apple's times are UTC without a zone designator: "2026-01-05T00:00:00.000". */
function appleTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1);
}

/** `daypart.userTime`: the hours of the week (0 = Sunday 00:00) the dayparts cover. */
export function appleDaypart(dayparts: Daypart[]): { userTime: { included: number[] } } {
  const hours = weekSlots(dayparts, 60).flatMap((on, hour) => (on ? [hour] : []));
  return { userTime: { included: hours } };
}

export function appleTargetingDimensions(
  targeting: Record<string, unknown>,
  schedule?: AdsetSchedule,
): Record<string, unknown> {
  const dims: Record<string, unknown> = {};
  if (schedule?.dayparts?.length) dims.daypart = appleDaypart(schedule.dayparts);
  if (typeof targeting.ageMin === "number" || typeof targeting.ageMax === "number") {
    dims.age = {
      included: [
        {
          minAge: Math.max(18, typeof targeting.ageMin === "number" ? targeting.ageMin : 18),
          ...(typeof targeting.ageMax === "number" ? { maxAge: targeting.ageMax } : {}),
        },
      ],
    };
  }
  if (Array.isArray(targeting.genders) && targeting.genders.length === 1) {
    const g = APPLE_GENDERS[String(targeting.genders[0])];
    if (g) dims.gender = { included: [g] };
  }
  return dims;
}

export function buildAdgroupBody(
  adset: AdsetSpec,
  account: AdAccountConnection,
  now = Date.now(),
): Record<string, unknown> {
  const start = adset.schedule.startTime ? Date.parse(adset.schedule.startTime) : now;
  const bidCents =
    typeof adset.bidStrategy.defaultBidCents === "number"
      ? adset.bidStrategy.defaultBidCents
      : APPLE_DEFAULT_BID_CENTS;
  const dims = appleTargetingDimensions(adset.targeting, adset.schedule);
  return {
    name: adset.name,
    pricingModel: "CPC",
    defaultBidAmount: { amount: toAppleAmount(bidCents, account.currency), currency: account.currency },
    startTime: appleTime(Math.max(start, now + APPLE_START_LEAD_MS)),
    ...(adset.schedule.endTime ? { endTime: appleTime(Date.parse(adset.schedule.endTime)) } : {}),
    automatedKeywordsOptIn: true,
    ...(Object.keys(dims).length > 0 ? { targetingDimensions: dims } : {}),
    status: "ENABLED",
  };
}

type AppleAdgroupOperation = Extract<
  PlatformOperation,
  {
    type:
      | "create_adset"
      | "update_adset_targeting"
      | "update_adset_budget"
      | "update_adset_schedule"
      | "pause_adset"
      | "resume_adset"
      | "delete_adset";
  }
>;

export function isAppleAdgroupOperation(op: PlatformOperation): op is AppleAdgroupOperation {
  return op.type.endsWith("_adset") || op.type.startsWith("update_adset_");
}

const adgroupPath = (cid: string, agid: string) =>
  `/campaigns/${encodeURIComponent(cid)}/adgroups/${encodeURIComponent(agid)}`;

/** Apple wants a start in the future: a time already past is left as it is (omitted). */
function futureTime(iso: string | null, now: number): string | undefined {
  return iso && Date.parse(iso) > now ? appleTime(Date.parse(iso)) : undefined;
}

export async function runAppleAdgroupOperation(
  op: AppleAdgroupOperation,
  account: AdAccountConnection,
  context: DispatchContext,
  call: AppleCall,
): Promise<PlatformResult> {
  const { platformCampaignId } = op;
  if (op.type === "create_adset") {
    const body = buildAdgroupBody(op.adset, account);
    // Apple has no idempotency key, but ad group names are unique within a campaign
    // (Unconfirmed; we refuse a second one by the same name): a retried create looks it up first.
    if (context.attempt > 1) {
      const found = await findAdgroupByName(call, platformCampaignId, op.adset.name);
      if (found !== undefined) return { ok: true, platformCampaignId, platformAdsetId: found };
    }
    const response = await call(
      "POST",
      `/campaigns/${encodeURIComponent(platformCampaignId)}/adgroups`,
      body,
    );
    const id = idField(isRecord(response.body) ? response.body.data : undefined, "id");
    if (id === undefined)
      throw new PlatformFailure(transientFailure("Apple accepted the ad group but returned no id"));
    return { ok: true, platformCampaignId, platformAdsetId: id };
  }
  const { platformAdsetId } = op;
  const path = adgroupPath(platformCampaignId, platformAdsetId);
  switch (op.type) {
    case "update_adset_targeting":
      // Ad group updates are bare (no envelope); the dimensions replace the ad group's.
      await call("PUT", path, {
        targetingDimensions: appleTargetingDimensions(op.targeting, op.adset.schedule),
      });
      break;
    case "update_adset_budget":
      return rejectedFailure("Apple ad groups have no budget", LOCAL_CODES.invalidRequest);
    case "update_adset_schedule": {
      const start = futureTime(op.schedule.startTime, Date.now());
      await call("PUT", path, {
        ...(start ? { startTime: start } : {}),
        endTime: op.schedule.endTime ? appleTime(Date.parse(op.schedule.endTime)) : null,
        targetingDimensions: appleTargetingDimensions(op.adset.targeting, op.schedule),
      });
      break;
    }
    case "delete_adset":
      // A retried delete that finds nothing: the earlier attempt already deleted it.
      await call("DELETE", path, undefined, { allowNotFound: context.attempt > 1 });
      break;
    case "pause_adset":
    case "resume_adset":
      await call("PUT", path, { status: op.type === "pause_adset" ? "PAUSED" : "ENABLED" });
      break;
  }
  return { ok: true, platformCampaignId, platformAdsetId };
}

/** The campaign-level schedule and bid strategy: both fields of the Apple campaign. */
export function appleCampaignChanges(
  op: Extract<PlatformOperation, { type: "update_campaign_schedule" | "update_bid_strategy" }>,
  account: AdAccountConnection,
): Record<string, unknown> {
  if (op.type === "update_campaign_schedule") {
    const start = futureTime(op.startTime, Date.now());
    return {
      ...(start ? { startTime: start } : {}),
      endTime: op.endTime ? appleTime(Date.parse(op.endTime)) : null,
    };
  }
  const bid = op.bidStrategy;
  return {
    biddingStrategy: bid.type,
    ...(typeof bid.targetCpaCents === "number"
      ? {
          targetCpa: {
            amount: toAppleAmount(bid.targetCpaCents, account.currency),
            currency: account.currency,
          },
        }
      : {}),
  };
}

async function findAdgroupByName(call: AppleCall, platformCampaignId: string, name: string) {
  const response = await call("POST", `/campaigns/${encodeURIComponent(platformCampaignId)}/adgroups/find`, {
    conditions: [{ field: "name", operator: "EQUALS", values: [name] }],
    pagination: { offset: 0, limit: 10 },
  });
  const adgroups = isRecord(response.body) ? response.body.data : undefined;
  if (!Array.isArray(adgroups)) return undefined;
  const match = adgroups.find((candidate) => stringField(candidate, "name") === name);
  return match === undefined ? undefined : idField(match, "id");
}
