import { describe, expect, it } from "vitest";
import { planImport } from "../../src/connections/import-model";
import { returnUrlAllowed } from "../../src/connections/oauth";
import type { PlatformCampaign } from "../../src/platforms/connect";

describe("returnUrlAllowed", () => {
  const allowlist = ["https://partner.example/oauth", "https://app.partner.example"];
  it.each([
    ["https://partner.example/oauth", "live", true],
    ["https://partner.example/oauth/done?x=1", "live", true],
    ["https://partner.example/oauthevil", "live", false],
    ["https://partner.example/other", "live", false],
    ["https://app.partner.example/anything", "live", true],
    ["http://partner.example/oauth", "live", false],
    ["https://user:pw@partner.example/oauth", "live", false],
    ["https://evil.example/oauth", "live", false],
    ["http://localhost:3000/cb", "live", false],
    ["http://localhost:3000/cb", "test", true],
    ["http://127.0.0.1/cb", "test", true],
    ["https://localhost.evil.example/cb", "test", false],
    ["javascript:alert(1)", "test", false],
    ["not a url", "test", false],
  ] as const)("%s for a %s key → %s", (url, env, expected) => {
    expect(returnUrlAllowed(url, allowlist, env)).toBe(expected);
  });
});

describe("planImport", () => {
  const target = {
    campaignId: "cmp_01JD0000000000000000000009",
    organizationId: "org_1",
    projectId: "prj_1",
    layerId: "lyr_1",
    adAccountId: "aa_1",
    platform: "meta",
  } as const;
  const seen: PlatformCampaign = {
    platformCampaignId: "501",
    name: "Legacy",
    status: "active",
    outcome: "traffic",
    dailyBudgetCents: 5000,
    lifetimeBudgetCents: null,
    startTime: null,
    endTime: null,
    platformSettings: { objective: "OUTCOME_TRAFFIC" },
    adSets: [{ platformAdSetId: "9", name: "A", status: "ACTIVE" }],
  };
  const now = "2026-12-01T00:00:00.000Z";

  it("a new platform campaign becomes an unpinned record", () => {
    const plan = planImport(null, { target, campaign: seen, now });
    expect(plan.outcome).toBe("created");
    expect(plan.authority?.block).toBeNull();
    expect(plan.campaign).toMatchObject({
      id: target.campaignId,
      platformCampaignId: "501",
      status: "active",
      dailyBudgetCents: 5000,
    });
    expect(plan.events.map((e) => e.eventType)).toEqual(["campaign.imported"]);
  });

  it("the same listing again changes nothing; each difference is drift", () => {
    const created = planImport(null, { target, campaign: seen, now }).campaign;
    expect(planImport(created, { target, campaign: seen, now }).outcome).toBe("unchanged");
    const drifted = planImport(created, {
      target,
      campaign: {
        ...seen,
        status: "paused",
        adSets: [...seen.adSets, { platformAdSetId: "10", name: "B", status: "ACTIVE" }],
      },
      now,
    });
    expect(drifted.outcome).toBe("updated");
    expect(drifted.authority).toBeNull();
    expect(drifted.campaign?.status).toBe("paused");
    const paused = { ...seen, status: "paused" as const };
    expect(planImport(created, { target, campaign: paused, now }, true).outcome).toBe("unchanged");
    expect(drifted.events[0]?.data.changes).toEqual([
      { field: "status", from: "active", to: "paused" },
      { field: "adSets", from: ["9"], to: ["9", "10"] },
    ]);
  });
});
