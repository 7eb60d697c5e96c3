import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { storeCredential } from "../../src/connections/credentials";
import { api } from "../helpers/http";
import { createCampaign, type JobView, waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const META_CREATE = "https://graph.facebook.com/v25.0/act_1234567890123/campaigns";

describe("one slow platform call does not hold anyone else's dispatch", () => {
  it("a plain create completes while two slow platform calls are still in flight", async () => {
    const slowTenant = await createTenant();
    await env.DB.prepare("UPDATE ad_accounts SET connection = 'live' WHERE id = ?")
      .bind(slowTenant.adAccounts.meta)
      .run();
    await storeCredential(env, slowTenant.adAccounts.meta, {
      kind: "oauth_token",
      accessToken: "account-meta-token",
      expiresAt: null,
    });
    const live = await slowTenant.addKey({ env: "live" });
    // The platform holds every create until the test lets it answer.
    let release: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    let created = 0;
    server.use(
      http.post(META_CREATE, async () => {
        await answered;
        created += 1;
        return HttpResponse.json({ id: `12020000000000010${created}` });
      }),
      // Then each create's default ad set, answered at once.
      http.post("https://graph.facebook.com/v25.0/act_1234567890123/adsets", () =>
        HttpResponse.json({ id: `12020000000000020${created}` }),
      ),
    );
    const slow = [
      await createCampaign(slowTenant, "meta", { key: live.key, wait: false, body: { name: "Slow A" } }),
      await createCampaign(slowTenant, "meta", { key: live.key, wait: false, body: { name: "Slow B" } }),
    ];
    for (const s of slow) {
      await waitForJob(live.key, s.jobId, { until: (j) => j.stage === "dispatching" });
    }

    const other = await createTenant();
    const plain = await createCampaign(other, "tiktok", { body: { name: "Plain" } });
    expect(plain.job, JSON.stringify(plain.job)).toMatchObject({ status: "completed", attempts: 1 });

    for (const s of slow) {
      const job = await api<JobView>("GET", `/v1/jobs/${s.jobId}`, { key: live.key });
      expect(job.body, job.text).toMatchObject({ status: "running", stage: "dispatching", attempts: 1 });
    }
    release();
    for (const s of slow) {
      const done = await waitForJob(live.key, s.jobId);
      expect(done, JSON.stringify(done)).toMatchObject({ status: "completed", attempts: 1 });
    }
  });
});
