/** Helpers for flows that go through the queue: create a campaign, wait for its job. */
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { api } from "./http";
import type { TestTenant } from "./tenant";

export interface JobView {
  jobId: string;
  kind: string;
  status: "running" | "completed" | "failed" | "canceled";
  stage: string | null;
  attempts: number;
  campaignId: string;
  result?: { platformCampaignId: string };
  error?: { code: string; message: string; platformCode?: string };
  pendingId?: string;
}

/**
 * Waits before poll number `attempt` (0-based): 5 ms, doubling up to `maxMs`, so a poll loop
 * sees a quick change at once without hammering a slow one.
 */
export function pollPause(attempt: number, maxMs = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(maxMs, 5 * 2 ** attempt)));
}

/** Polls GET /v1/jobs/:id until the job is terminal (or `until` holds), failing after `timeoutMs`. */
export async function waitForJob(
  key: string,
  jobId: string,
  options: { timeoutMs?: number; until?: (job: JobView) => boolean } = {},
): Promise<JobView> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  const done = options.until ?? ((job: JobView) => job.status !== "running");
  let last = "";
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const res = await api<JobView>("GET", `/v1/jobs/${jobId}`, { key });
    last = `${res.status} ${res.text}`;
    if (res.status === 200 && done(res.body)) return res.body;
    await pollPause(attempt);
  }
  throw new Error(`job ${jobId} did not settle in time; last answer: ${last}`);
}

/**
 * Waits until every job is terminal (or `until` holds for it), within `timeoutMs` in all. For
 * a burst whose jobs run one after another (one campaign's dispatch is serial), it polls one
 * job at a time and keeps its pause between polls from job to job, instead of restarting at
 * 5 ms for each: the burst's jobs, not the polls, get the CPU.
 */
export async function waitForJobs(
  key: string,
  jobIds: string[],
  options: { timeoutMs?: number; until?: (job: JobView) => boolean } = {},
): Promise<JobView[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const done = options.until ?? ((job: JobView) => job.status !== "running");
  const jobs: JobView[] = [];
  let attempt = 0;
  for (const jobId of jobIds) {
    for (;;) {
      const res = await api<JobView>("GET", `/v1/jobs/${jobId}`, { key });
      if (res.status === 200 && done(res.body)) {
        jobs.push(res.body);
        break;
      }
      if (Date.now() >= deadline) {
        throw new Error(`job ${jobId} did not settle in time; last answer: ${res.status} ${res.text}`);
      }
      await pollPause(attempt++);
    }
  }
  return jobs;
}

export const MODE_FOR = { off: "manual", draft: "draft", auto: "autopilot" } as const;

export function createBody(
  tenant: TestTenant,
  platform: SeedPlatform,
  overrides: Record<string, unknown> = {},
) {
  const base: Record<string, unknown> = {
    adAccountId: tenant.adAccounts[platform],
    name: "Q3 prospecting",
    outcome: platform === "apple" ? "app_installs" : "conversions",
    dailyBudgetCents: 5000,
    campaignManagementMode: "autopilot",
    creativeMode: "autopilot",
  };
  return { ...base, ...overrides };
}

export interface CreatedCampaign {
  campaignId: string;
  jobId: string;
  verdictId: string;
  pendingId?: string;
}

/** Creates a campaign (202 expected) and, unless told not to, waits for its create job to finish. */
export async function createCampaign(
  tenant: TestTenant,
  platform: SeedPlatform,
  options: { key?: string; body?: Record<string, unknown>; wait?: boolean } = {},
): Promise<CreatedCampaign & { job?: JobView }> {
  const key = options.key ?? tenant.keys.partner;
  const res = await api<CreatedCampaign>(
    "POST",
    `/v1/projects/${tenant.projectId}/ads/${platform}/campaigns`,
    {
      key,
      body: createBody(tenant, platform, options.body),
    },
  );
  if (res.status !== 202) throw new Error(`create failed: ${res.status} ${res.text}`);
  if (options.wait === false || res.body.pendingId) return res.body;
  return { ...res.body, job: await waitForJob(key, res.body.jobId) };
}
