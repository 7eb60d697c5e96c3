import { afterEach, describe, expect, it } from "vitest";
import { brakeVariableOn } from "../../src/dispatch/brake";
import type { Env } from "../../src/env";
import { api, expectError } from "../helpers/http";
import { createCampaign, type JobView, waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import { liveCampaign, readCampaign, write } from "../writes/fixtures";

const OPERATOR = "test-operator-token";
type Brake = { engaged: boolean; reason: string | null; source: string | null; heldCampaigns: number };

const setBrake = (body: unknown, token = OPERATOR) =>
  api<Brake>("PUT", "/ops/dispatch-brake", { key: token, body });
const readBrake = () => api<Brake>("GET", "/ops/dispatch-brake", { key: OPERATOR });

async function waitForHeld(count: number): Promise<Brake> {
  const deadline = Date.now() + 15_000;
  let last: Brake | null = null;
  while (Date.now() < deadline) {
    last = (await readBrake()).body;
    if (last.heldCampaigns >= count) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the brake did not hold ${count} campaigns: ${JSON.stringify(last)}`);
}

afterEach(async () => {
  await setBrake({ engaged: false });
});

describe("the dispatch brake", () => {
  it("is for operators only: no token, a partner key or a wrong token are refused", async () => {
    const tenant = await createTenant();
    expectError(await api("GET", "/ops/dispatch-brake"), 401, "UNAUTHENTICATED");
    expectError(
      await api("GET", "/ops/dispatch-brake", { key: tenant.keys.customer }),
      401,
      "UNAUTHENTICATED",
    );
    expectError(await setBrake({ engaged: true }, "not-the-token"), 401, "UNAUTHENTICATED");
    expect((await readBrake()).body).toMatchObject({ engaged: false });
    expectError(await setBrake({ engaged: "yes" }), 422, "VALIDATION");
    expectError(await setBrake({ engaged: true, extra: 1 }), 422, "VALIDATION");
  });

  it("holds every platform call in `queued`, loses nothing, and releases in order", async () => {
    const tenant = await createTenant();
    const campaignId = await liveCampaign(tenant);

    const pulled = await setBrake({ engaged: true, reason: "incident 42" });
    expect(pulled.body, pulled.text).toMatchObject({
      engaged: true,
      reason: "incident 42",
      source: "switch",
    });

    const budget = await write(tenant, "budget", campaignId, { body: { dailyBudgetCents: 6000 } });
    const pause = await write(tenant, "pause", campaignId);
    expect([budget.status, pause.status], `${budget.text} ${pause.text}`).toEqual([202, 202]);
    const other = await createCampaign(tenant, "tiktok", { wait: false, body: { name: "Held create" } });

    await waitForHeld(2);
    for (const jobId of [budget.body.jobId, pause.body.jobId, other.jobId]) {
      const job = await api<JobView>("GET", `/v1/jobs/${jobId}`, { key: tenant.keys.partner });
      expect(job.body, job.text).toMatchObject({ status: "running", stage: "queued", attempts: 0 });
    }

    const released = await setBrake({ engaged: false });
    expect(released.body).toMatchObject({ engaged: false, source: null });

    const jobs: (JobView & { finishedAt?: string })[] = [];
    for (const jobId of [budget.body.jobId, pause.body.jobId, other.jobId]) {
      jobs.push(await waitForJob(tenant.keys.partner, jobId));
    }
    for (const job of jobs)
      expect(job, JSON.stringify(job)).toMatchObject({ status: "completed", attempts: 1 });
    // The campaign's two writes went out in the order they were accepted.
    expect(String(jobs[0]?.finishedAt) <= String(jobs[1]?.finishedAt)).toBe(true);
    const campaign = await readCampaign(tenant, campaignId);
    expect(campaign).toMatchObject({ status: "paused", dailyBudgetCents: 6000 });
    expect((await readBrake()).body.heldCampaigns).toBe(0);
  });

  it("DISPATCH_BRAKE=on holds dispatch too; anything else does not", () => {
    const env = (value: string | undefined) => ({ DISPATCH_BRAKE: value }) as Env;
    expect(["on", "ON", "true", "1", " on "].map((v) => brakeVariableOn(env(v)))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(["off", "", "no", undefined].map((v) => brakeVariableOn(env(v)))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
