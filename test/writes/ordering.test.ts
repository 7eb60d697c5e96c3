/**
 * Writes to one campaign take effect in the order they were accepted, the last accepted one
 * wins, and a write is a no-op only against the state every earlier accepted write leaves.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { liveCampaign, readCampaign, write } from "./fixtures";

describe("write ordering", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  async function accepted(res: Awaited<ReturnType<typeof write>>) {
    expect(res.status, res.text).toBe(202);
    return res.body.jobId;
  }

  it("pause then resume straight away ends active, and both jobs really ran", async () => {
    const campaignId = await liveCampaign(tenant);
    const pause = await accepted(await write(tenant, "pause", campaignId));
    const resume = await write(tenant, "resume", campaignId);
    // The resume is not a no-op: the pause accepted before it will leave the campaign paused.
    expect(resume.body.status, resume.text).toBe("running");
    const jobs = [
      await waitForJob(tenant.keys.partner, pause),
      await waitForJob(tenant.keys.partner, resume.body.jobId),
    ];
    for (const job of jobs)
      expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", attempts: 1 });
    expect((await readCampaign(tenant, campaignId)).status).toBe("active");
  });

  it("budget 5000 → 6000 → 5000 ends at 5000", async () => {
    const campaignId = await liveCampaign(tenant);
    const first = await accepted(
      await write(tenant, "budget", campaignId, { body: { dailyBudgetCents: 6000 } }),
    );
    const back = await write(tenant, "budget", campaignId, { body: { dailyBudgetCents: 5000 } });
    expect(back.body.status, back.text).toBe("running");
    for (const jobId of [first, back.body.jobId]) {
      const job = await waitForJob(tenant.keys.partner, jobId);
      expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", attempts: 1 });
    }
    expect((await readCampaign(tenant, campaignId)).dailyBudgetCents).toBe(5000);
  });

  it("a burst of alternating writes ends at the last accepted one", async () => {
    const campaignId = await liveCampaign(tenant);
    const jobs: string[] = [];
    for (const action of ["pause", "resume", "pause", "resume", "pause"] as const) {
      jobs.push(await accepted(await write(tenant, action, campaignId)));
    }
    const budgets = [6100, 6200, 6300];
    for (const cents of budgets) {
      jobs.push(
        await accepted(await write(tenant, "budget", campaignId, { body: { dailyBudgetCents: cents } })),
      );
    }
    for (const jobId of jobs) {
      const job = await waitForJob(tenant.keys.partner, jobId);
      expect(job.status, JSON.stringify(job)).toBe("completed");
    }
    const campaign = await readCampaign(tenant, campaignId);
    expect(campaign).toMatchObject({ status: "paused", dailyBudgetCents: 6300 });
  });

  it("a repeat of a write still in flight completes only once the campaign is in that state", async () => {
    const campaignId = await liveCampaign(tenant);
    const first = await accepted(await write(tenant, "pause", campaignId));
    const again = await accepted(await write(tenant, "pause", campaignId));
    const repeat = await waitForJob(tenant.keys.partner, again);
    expect(repeat.status, JSON.stringify(repeat)).toBe("completed");
    // Completed means applied: the earlier pause has landed by then.
    expect((await waitForJob(tenant.keys.partner, first)).status).toBe("completed");
    expect((await readCampaign(tenant, campaignId)).status).toBe("paused");
  });
});
