/**
 * The quickstart's flow, through the typed client: create a campaign, poll its job to
 * completion, read and patch its authority, change its budget (now queued for approval) and
 * list the pending actions. `examples/quickstart.ts` runs it against `npm run dev`; the tests
 * run it against the Worker inside workerd.
 */
import type { AdsPartnerClient, Schemas } from "../clients/typescript/index.ts";

export interface QuickstartInput {
  projectId: string;
  adAccountId: string;
  /** Milliseconds between job polls (500). */
  pollIntervalMs?: number;
  /** Give up on the job after this long (30 000 ms). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface QuickstartResult {
  created: Schemas["CreateCampaignAccepted"];
  job: Schemas["Job"];
  authority: Schemas["CampaignAuthority"];
  patched: Schemas["CampaignAuthorityPatchResult"];
  budgetChange: Schemas["WriteAccepted"];
  pending: Schemas["PendingActionPage"];
}

/** The body of an answer, or an error naming its status and error envelope. */
/** The real call's answer: every gated write may also answer a dry run's, which these calls never ask for. */
function expectData<T>(
  what: string,
  answer: { data?: T; error?: unknown; response: Response },
): Exclude<T, { dryRun: true }> {
  const { data } = answer;
  if (data === undefined) {
    throw new Error(`${what} failed: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  }
  if (typeof data === "object" && data !== null && "dryRun" in data) {
    throw new Error(`${what} answered a dry run`);
  }
  return data as Exclude<T, { dryRun: true }>;
}

export async function runQuickstart(
  client: AdsPartnerClient,
  input: QuickstartInput,
): Promise<QuickstartResult> {
  const log = input.log ?? (() => {});
  const platform = "meta" as const;
  const path = { projectId: input.projectId, platform };

  const created = expectData(
    "create campaign",
    await client.POST("/v1/projects/{projectId}/ads/{platform}/campaigns", {
      params: { path },
      headers: { "Idempotency-Key": `quickstart-${crypto.randomUUID()}` },
      body: {
        adAccountId: input.adAccountId,
        name: "Quickstart prospecting",
        outcome: "conversions",
        dailyBudgetCents: 5000,
        campaignManagementMode: "autopilot",
        creativeMode: "autopilot",
      },
    }),
  );
  log(
    `created campaign ${created.campaignId} (verdict ${created.verdictId}); job ${created.jobId} is running`,
  );

  const deadline = Date.now() + (input.timeoutMs ?? 30_000);
  let job: Schemas["Job"];
  for (;;) {
    job = expectData(
      "poll job",
      await client.GET("/v1/jobs/{jobId}", { params: { path: { jobId: created.jobId } } }),
    );
    if (job.status !== "running") break;
    if (Date.now() > deadline) throw new Error(`job ${job.jobId} still running (stage ${job.stage})`);
    await new Promise((resolve) => setTimeout(resolve, input.pollIntervalMs ?? 500));
  }
  log(
    `job ${job.jobId} ${job.status} after ${job.attempts} attempt(s); platform id ${job.result?.platformCampaignId}`,
  );
  if (job.status !== "completed")
    throw new Error(`job ${job.jobId} ended ${job.status}: ${JSON.stringify(job.error)}`);

  const campaignPath = { ...path, campaignId: created.campaignId };
  const read = await client.GET("/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/authority", {
    params: { path: campaignPath },
  });
  const authority = expectData("read authority", read);
  const etag = read.response.headers.get("ETag") ?? undefined;
  log(`authority ${JSON.stringify(authority.authority)} (${authority.source}), ETag ${etag}`);

  const patched = expectData(
    "patch authority",
    await client.PATCH("/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/authority", {
      params: { path: campaignPath, header: { "if-match": etag } },
      headers: { "Idempotency-Key": `quickstart-${crypto.randomUUID()}` },
      body: { authority: { tactical: "draft" } },
    }),
  );
  log(`tactical set to draft: ${JSON.stringify(patched.authority)} (verdict ${patched.verdictId})`);

  const budgetChange = expectData(
    "change budget",
    await client.PATCH("/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}/budget", {
      params: { path: campaignPath },
      headers: { "Idempotency-Key": `quickstart-${crypto.randomUUID()}` },
      body: { dailyBudgetCents: 7500 },
    }),
  );
  log(`budget change ${budgetChange.status}, queued for approval as ${budgetChange.pendingId}`);

  const pending = expectData(
    "list pending actions",
    await client.GET("/v1/projects/{projectId}/ads/{platform}/pending", {
      params: { path, query: { status: "pending" } },
    }),
  );
  for (const item of pending.items.filter((p) => p.entityId === created.campaignId)) {
    log(
      `pending ${item.pendingId}: ${item.actionType} ${JSON.stringify(item.currentValue)} → ${JSON.stringify(item.newValue)}`,
    );
  }
  return { created, job, authority, patched, budgetChange, pending };
}
