import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAdsPartnerClient } from "../../clients/typescript/index.ts";
import { runQuickstart } from "../../examples/quickstart-flow.ts";
import { createTenant } from "../helpers/tenant";

describe("typed client: the quickstart's flow", () => {
  it("creates a campaign, waits for its job, pins authority, queues a budget change and lists it", async () => {
    const tenant = await createTenant();
    const client = createAdsPartnerClient({
      baseUrl: "https://api.test",
      apiKey: tenant.keys.partner,
      fetch: (request) => exports.default.fetch(request),
    });
    const lines: string[] = [];
    const result = await runQuickstart(client, {
      projectId: tenant.projectId,
      adAccountId: tenant.adAccounts.meta,
      pollIntervalMs: 100,
      log: (line) => lines.push(line),
    });
    expect(result.job).toMatchObject({ jobId: result.created.jobId, status: "completed" });
    expect(result.job.result?.platformCampaignId).toEqual(expect.any(String));
    expect(result.authority.campaignId).toBe(result.created.campaignId);
    expect(result.patched.authority).toEqual({ creative: "auto", tactical: "draft", structural: "auto" });
    expect(result.budgetChange.pendingId).toMatch(/^pa_/);
    expect(result.pending.items.map((p) => p.pendingId)).toEqual([result.budgetChange.pendingId]);
    expect(result.pending.items[0]).toMatchObject({
      actionType: "update_budget",
      entityId: result.created.campaignId,
      currentValue: { dailyBudgetCents: 5000 },
      newValue: { dailyBudgetCents: 7500 },
    });
    expect(result.pending.nextCursor).toBeNull();
    expect(lines.join("\n")).toContain(`created campaign ${result.created.campaignId}`);
  });

  it("surfaces the error envelope of a refused call", async () => {
    const tenant = await createTenant();
    const client = createAdsPartnerClient({
      baseUrl: "https://api.test",
      apiKey: tenant.keys.readOnly,
      fetch: (request) => exports.default.fetch(request),
    });
    await expect(
      runQuickstart(client, { projectId: tenant.projectId, adAccountId: tenant.adAccounts.meta }),
    ).rejects.toThrow(/create campaign failed: 403 .*FORBIDDEN_SCOPE/);
  });
});
