import { env, exports } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openCredential, storeCredential } from "../../src/connections/credentials";
import { validateTokens } from "../../src/connections/health";
import { api, expectError } from "../helpers/http";
import { createCampaign, waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const GRAPH = "https://graph.facebook.com/v25.0";
const META_EXTERNAL = "1234567890123";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function liveAccount(
  t: TestTenant,
  platform: "meta" | "tiktok",
  accessToken: string,
  expiresAt: string | null = null,
) {
  const id = t.adAccounts[platform];
  await env.DB.prepare("UPDATE ad_accounts SET connection = 'live', token_expires_at = ? WHERE id = ?")
    .bind(expiresAt, id)
    .run();
  await storeCredential(env, id, { kind: "oauth_token", accessToken, expiresAt });
  return id;
}

/** Starts a sync and polls its job to the end; the job's counts. */
async function syncToEnd(t: TestTenant, id: string) {
  const res = await api<{ jobId: string; status: string }>(
    "POST",
    `/v1/projects/${t.projectId}/ads/ad-accounts/${id}/sync`,
    { key: t.keys.partner },
  );
  expect(res.status, res.text).toBe(202);
  expect(res.headers.get("Location")).toBe(`/v1/jobs/${res.body.jobId}`);
  const job = await waitForJob(t.keys.partner, res.body.jobId);
  expect(job, JSON.stringify(job)).toMatchObject({
    kind: "sync_account",
    status: "completed",
    adAccountId: id,
  });
  return (job as unknown as { result: Record<string, number> }).result;
}

const accountOf = (t: TestTenant, id: string) =>
  api<{ tokenStatus: string; tokenLastValidatedAt: string | null; tokenExpiresAt: string | null }>(
    "GET",
    `/v1/projects/${t.projectId}/ads/ad-accounts/${id}`,
    { key: t.keys.partner },
  );

describe("a platform auth error during dispatch", () => {
  it("fails the job with PLATFORM_AUTH, marks the account expired with an audit event; writes then answer 404", async () => {
    const t = await createTenant();
    const id = await liveAccount(t, "meta", "dead-token");
    const live = await t.addKey({ env: "live" });
    server.use(
      http.post(`${GRAPH}/act_${META_EXTERNAL}/campaigns`, () =>
        HttpResponse.json(
          { error: { code: 190, error_subcode: 463, message: "Session has expired" } },
          { status: 400 },
        ),
      ),
    );
    const created = await createCampaign(t, "meta", { key: live.key });
    expect(created.job, JSON.stringify(created.job)).toMatchObject({
      status: "failed",
      error: { code: "PLATFORM_AUTH", platformCode: "190/463" },
    });
    expect((await accountOf(t, id)).body.tokenStatus).toBe("expired");
    const audit = await api<{ items: { eventType: string; data: Record<string, unknown> }[] }>(
      "GET",
      "/v1/audit-log?eventType=ad_account.token_invalid",
      { key: t.keys.customer },
    );
    expect(audit.body.items[0]?.data).toMatchObject({
      adAccountId: id,
      tokenStatus: "expired",
      source: "dispatch",
    });
    const write = await api(
      "PATCH",
      `/v1/projects/${t.projectId}/ads/meta/campaigns/${created.campaignId}/budget`,
      {
        key: t.keys.partner,
        body: { dailyBudgetCents: 6000 },
      },
    );
    expect(expectError(write, 404, "NOT_FOUND")).toMatchObject({ reason: "platform_oauth_not_connected" });
    const create = await api("POST", `/v1/projects/${t.projectId}/ads/meta/campaigns`, {
      key: live.key,
      body: {
        adAccountId: id,
        name: "x",
        outcome: "traffic",
        dailyBudgetCents: 5000,
        campaignManagementMode: "autopilot",
        creativeMode: "autopilot",
      },
    });
    expectError(create, 404, "NOT_FOUND");
  });
});

describe("daily token validation", () => {
  it("renews a Meta token near expiry, marks a revoked TikTok token, records the check", async () => {
    const t = await createTenant();
    const soon = new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString();
    const meta = await liveAccount(t, "meta", "meta-old", soon);
    const tiktok = await liveAccount(t, "tiktok", "tiktok-revoked");
    server.use(
      http.get(`${GRAPH}/oauth/access_token`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        expect(q.get("fb_exchange_token")).toBe("meta-old");
        return HttpResponse.json({ access_token: "meta-new", expires_in: 5_184_000 });
      }),
      http.get("https://business-api.tiktok.com/open_api/v1.3/oauth2/advertiser/get/", () =>
        HttpResponse.json({ code: 40105, message: "Access token is invalid", request_id: "r", data: {} }),
      ),
    );
    const summary = await validateTokens(env);
    expect(summary).toMatchObject({ renewed: 1, invalid: 1 });
    const metaAfter = (await accountOf(t, meta)).body;
    expect(metaAfter.tokenStatus).toBe("valid");
    expect(Date.parse(metaAfter.tokenExpiresAt ?? "")).toBeGreaterThan(Date.parse(soon));
    expect(await openCredential(env, meta)).toMatchObject({ accessToken: "meta-new" });
    expect((await accountOf(t, tiktok)).body.tokenStatus).toBe("revoked");
  });

  it("a valid token far from expiry gets a cheap check and a fresh tokenLastValidatedAt", async () => {
    const t = await createTenant();
    const far = new Date(Date.now() + 50 * 24 * 3600 * 1000).toISOString();
    const meta = await liveAccount(t, "meta", "meta-fine", far);
    await env.DB.prepare(
      "UPDATE ad_accounts SET token_last_validated_at = '2000-01-01T00:00:00.000Z' WHERE id = ?",
    )
      .bind(meta)
      .run();
    let checks = 0;
    server.use(
      http.get(`${GRAPH}/me`, ({ request }) => {
        if (new URL(request.url).searchParams.get("access_token") === "meta-fine") checks += 1;
        return HttpResponse.json({ id: "42" });
      }),
    );
    await validateTokens(env);
    expect(checks).toBe(1);
    expect((await accountOf(t, meta)).body.tokenLastValidatedAt?.startsWith("2000")).toBe(false);
  });
});

describe("re-sync of a live Meta account", () => {
  it("imports, skips campaigns created here, applies platform drift without touching pinned authority, and is idempotent", async () => {
    const t = await createTenant();
    const id = await liveAccount(t, "meta", "meta-token");
    const live = await t.addKey({ env: "live" });
    server.use(http.post(`${GRAPH}/act_${META_EXTERNAL}/campaigns`, () => HttpResponse.json({ id: "999" })));
    await createCampaign(t, "meta", { key: live.key });
    let remote = {
      id: "501",
      name: "Legacy",
      status: "ACTIVE",
      daily_budget: "5000",
      objective: "OUTCOME_SALES",
    };
    server.use(
      http.get(`${GRAPH}/act_${META_EXTERNAL}/campaigns`, () =>
        HttpResponse.json({ data: [remote, { id: "999", name: "Q3 prospecting [lp:x]", status: "ACTIVE" }] }),
      ),
      http.get(`${GRAPH}/:campaignId/adsets`, () => HttpResponse.json({ data: [] })),
    );
    const sync = () => syncToEnd(t, id);
    expect(await sync()).toMatchObject({ campaignsCreated: 1, campaignsSkipped: 1, campaignsSeen: 2 });
    const list = await api<{
      items: { campaignId: string; platformCampaignId: string; authoritySource: string }[];
    }>("GET", `/v1/projects/${t.projectId}/ads/campaigns?adAccountId=${id}`, { key: t.keys.partner });
    expect(list.body.items).toHaveLength(2);
    const imported = list.body.items.find((c) => c.platformCampaignId === "501");
    expect(imported?.authoritySource).toBe("layer_defaults");
    const path = `/v1/projects/${t.projectId}/ads/meta/campaigns/${imported?.campaignId}`;
    const pin = await api("PATCH", `${path}/authority`, {
      key: t.keys.customer,
      body: { authority: { tactical: "draft" } },
    });
    expect(pin.status, pin.text).toBe(200);

    remote = { ...remote, name: "Legacy (renamed)", status: "PAUSED", daily_budget: "7000" };
    expect(await sync()).toMatchObject({ campaignsCreated: 0, campaignsUpdated: 1, campaignsSkipped: 1 });
    const read = await api<Record<string, unknown>>("GET", path, { key: t.keys.partner });
    expect(read.body).toMatchObject({
      name: "Legacy (renamed)",
      status: "paused",
      dailyBudgetCents: 7000,
      authoritySource: "per_campaign",
      authority: { tactical: "draft" },
    });
    const drift = await api<{ items: { data: { changes: { field: string }[] } }[] }>(
      "GET",
      "/v1/audit-log?eventType=campaign.drift_detected",
      { key: t.keys.customer },
    );
    expect(drift.body.items[0]?.data.changes.map((c) => c.field).sort()).toEqual([
      "dailyBudgetCents",
      "name",
      "status",
    ]);
    expect(await sync()).toMatchObject({ campaignsCreated: 0, campaignsUpdated: 0, campaignsUnchanged: 1 });
  });
});

describe("Apple credentials", () => {
  const path = (t: TestTenant) => `/v1/projects/${t.projectId}/ads/ad-accounts/apple/credentials`;
  async function pkcs8Pem() {
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    const der = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
    return `-----BEGIN PRIVATE KEY-----\n${btoa(String.fromCharCode(...der))}\n-----END PRIVATE KEY-----`;
  }

  it("a test key connects a sandbox org and imports its campaigns; the key never comes back", async () => {
    const t = await createTenant();
    const privateKey = await pkcs8Pem();
    const res = await api<{ adAccounts: { adAccountId: string; platform: string }[] }>("POST", path(t), {
      key: t.keys.customer,
      body: { clientId: "SEARCHADS.c", teamId: "SEARCHADS.t", keyId: "k", privateKey },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.text).not.toContain("PRIVATE KEY");
    const [account] = res.body.adAccounts;
    expect(account?.platform).toBe("apple");
    const list = await api<{ items: unknown[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/campaigns?adAccountId=${account?.adAccountId}`,
      {
        key: t.keys.partner,
      },
    );
    expect(list.body.items).toHaveLength(3);
  });

  it("refuses an unusable private key with 422 on privateKey", async () => {
    const t = await createTenant();
    const res = await api("POST", path(t), {
      key: t.keys.customer,
      body: { clientId: "c", teamId: "t", keyId: "k", privateKey: "nope" },
    });
    expect(expectError(res, 422, "VALIDATION").issues).toEqual([
      expect.objectContaining({ path: "privateKey" }),
    ]);
  });
});

describe("live Meta connect (outbound requests mocked)", () => {
  it("exchanges the code, stores each granted account with its sealed token, imports its campaigns", async () => {
    const t = await createTenant();
    const live = await t.addKey({ env: "live" });
    await env.DB.prepare("UPDATE api_keys SET return_url_allowlist = ? WHERE id = ?")
      .bind(JSON.stringify(["https://partner.example/oauth"]), live.keyId)
      .run();
    const start = await api<{ url: string }>(
      "POST",
      `/v1/projects/${t.projectId}/ads/ad-accounts/oauth-url`,
      {
        key: live.key,
        body: { platform: "meta", returnUrl: "https://partner.example/oauth/done", state: "s-1" },
      },
    );
    expect(start.status, start.text).toBe(200);
    const dialog = new URL(start.body.url);
    expect(`${dialog.origin}${dialog.pathname}`).toBe("https://www.facebook.com/v25.0/dialog/oauth");
    const state = dialog.searchParams.get("state") ?? "";
    server.use(
      http.get(`${GRAPH}/oauth/access_token`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        if (q.get("grant_type") === "fb_exchange_token") {
          return HttpResponse.json({ access_token: "EAAB-long-lived-secret", expires_in: 5_184_000 });
        }
        expect(q.get("redirect_uri")).toBe("https://api.test/v1/oauth/meta/callback");
        expect(q.get("code")).toBe("meta-code");
        return HttpResponse.json({ access_token: "EAAB-short", expires_in: 3600 });
      }),
      http.get(`${GRAPH}/me/adaccounts`, () =>
        HttpResponse.json({
          data: [{ account_id: "777000111", name: "Customer Ads", currency: "USD", timezone_name: "UTC" }],
        }),
      ),
      http.get(`${GRAPH}/act_777000111/campaigns`, ({ request }) => {
        expect(new URL(request.url).searchParams.get("access_token")).toBe("EAAB-long-lived-secret");
        return HttpResponse.json({
          data: [
            {
              id: "880",
              name: "Always on",
              status: "ACTIVE",
              daily_budget: "2500",
              objective: "OUTCOME_SALES",
            },
          ],
        });
      }),
      http.get(`${GRAPH}/880/adsets`, () =>
        HttpResponse.json({ data: [{ id: "88001", name: "Broad", status: "ACTIVE" }] }),
      ),
    );
    const callback = await exports.default.fetch(
      new Request(
        `https://api.test/v1/oauth/meta/callback?code=meta-code&state=${encodeURIComponent(state)}`,
        {
          redirect: "manual",
        },
      ),
    );
    expect(callback.status, await callback.text()).toBe(302);
    const back = new URL(callback.headers.get("Location") ?? "");
    expect(back.searchParams.get("status")).toBe("connected");
    expect(back.searchParams.get("state")).toBe("s-1");
    const accountId = back.searchParams.get("accountId") ?? "";
    const account = await api<Record<string, unknown>>(
      "GET",
      `/v1/projects/${t.projectId}/ads/ad-accounts/${accountId}`,
      {
        key: live.key,
      },
    );
    expect(account.body).toMatchObject({ externalId: "777000111", connection: "live", tokenStatus: "valid" });
    expect(account.text).not.toContain("EAAB");
    const sealed = await env.DB.prepare("SELECT * FROM ad_account_credentials WHERE ad_account_id = ?")
      .bind(accountId)
      .first();
    expect(sealed).toBeTruthy();
    expect(JSON.stringify(sealed)).not.toContain("EAAB");
    const list = await api<{ items: { platformCampaignId: string; authoritySource: string }[] }>(
      "GET",
      `/v1/projects/${t.projectId}/ads/campaigns?adAccountId=${accountId}`,
      { key: live.key },
    );
    expect(list.body.items).toEqual([
      expect.objectContaining({ platformCampaignId: "880", authoritySource: "layer_defaults" }),
    ]);
    const audit = await api("GET", "/v1/audit-log?limit=200", { key: t.keys.customer });
    expect(audit.text).not.toContain("EAAB");
  });
});
