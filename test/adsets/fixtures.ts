/** Fixtures for the ad set tests: reads of one ad set, another ad set's create, the default ad set. */
import { expect } from "vitest";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api } from "../helpers/http";
import type { TestTenant } from "../helpers/tenant";
import { type Accepted, campaignPath } from "../writes/fixtures";

export interface AdsetView {
  adsetId: string;
  campaignId: string;
  name: string;
  status: string;
  optimizationGoal: string;
  billingEvent: string;
  bidStrategy: Record<string, unknown>;
  dailyBudgetCents: number | null;
  targeting: Record<string, unknown>;
  schedule: { startTime: string | null; endTime: string | null; dayparts: unknown[] };
  platformAdsetId: string | null;
}

export type CreateAccepted = Accepted & { adsetId: string };

export const ADSET_ID = /^adg_[0-9A-HJKMNP-TV-Z]{26}$/;

export function createAdset(
  t: TestTenant,
  platform: SeedPlatform,
  campaignId: string,
  body: Record<string, unknown>,
  key?: string,
) {
  return api<CreateAccepted>("POST", `${campaignPath(t, campaignId, platform)}/adsets`, {
    key: key ?? t.keys.partner,
    body,
  });
}

export async function readAdset(t: TestTenant, platform: SeedPlatform, adsetId: string) {
  const res = await api<AdsetView>("GET", `/v1/projects/${t.projectId}/ads/${platform}/adsets/${adsetId}`, {
    key: t.keys.readOnly,
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The campaign's default ad set, once it is on the platform. */
export async function defaultAdsetId(t: TestTenant, campaignId: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const res = await api<{ items: AdsetView[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/adsets?campaignId=${campaignId}`,
      { key: t.keys.readOnly },
    );
    const adset = res.body.items[0];
    if (adset?.platformAdsetId) return adset.adsetId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no default ad set");
}
