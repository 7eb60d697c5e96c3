/** Owns the Apple ad group requests' bodies: `POST /campaigns/{cid}/adgroups` from our ad set. */
import { APPLE_DEFAULT_BID_CENTS } from "../domain/adset-defaults";
import type { AdsetSpec } from "../domain/adset-model";
import { toAppleAmount } from "../domain/money";
import type { AdAccountConnection } from "./types";

/** Unconfirmed: how far ahead a start "now" is moved, since Apple wants a start in the future. */
export const APPLE_START_LEAD_MS = 60_000;

const APPLE_GENDERS: Record<string, string> = { male: "M", female: "F" };

/** Apple's times are UTC without a zone designator: "2026-01-05T00:00:00.000". */
function appleTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1);
}

export function appleTargetingDimensions(targeting: Record<string, unknown>): Record<string, unknown> {
  const dims: Record<string, unknown> = {};
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
  const dims = appleTargetingDimensions(adset.targeting);
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
