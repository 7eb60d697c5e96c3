import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

const RETURN_URL = "http://localhost:3000/connected";

/** A GET that does not follow redirects, as a browser's network log would show it. */
async function visit(path: string) {
  const response = await exports.default.fetch(
    new Request(`https://api.test${path}`, { redirect: "manual" }),
  );
  const text = await response.text();
  const body = (text ? safeJson(text) : null) as Record<string, unknown>;
  return { status: response.status, headers: response.headers, text, body };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

interface AdAccountView {
  adAccountId: string;
  tokenStatus: string;
  tokenLastValidatedAt: string | null;
  connection: string;
  lastSyncedAt: string | null;
}
interface CampaignView {
  campaignId: string;
  name: string;
  status: string;
  authoritySource: string;
  authority: Record<string, string>;
  dailyBudgetCents: number | null;
  platformCampaignId: string | null;
}

/** Follows the flow a browser would: oauth-url → sandbox consent page → the chosen link → callback. */
async function connectThroughSandbox(
  t: TestTenant,
  choice: "allow" | "deny" = "allow",
  platform = "meta_ads",
) {
  const start = await api<{ url: string; expiresAt: string }>(
    "POST",
    `/v1/projects/${t.projectId}/ads/ad-accounts/oauth-url`,
    {
      key: t.keys.partner,
      body: { platform, returnUrl: RETURN_URL, state: "client-xyz" },
    },
  );
  expect(start.status, start.text).toBe(200);
  const consentUrl = new URL(start.body.url);
  const page = await api("GET", `${consentUrl.pathname}${consentUrl.search}`);
  expect(page.status, page.text).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/text\/html/);
  const href = new RegExp(`id="${choice}" href="([^"]+)"`).exec(page.text)?.[1]?.replaceAll("&amp;", "&");
  expect(href, page.text).toBeTruthy();
  const callback = await visit(href ?? "");
  expect(callback.status, callback.text).toBe(302);
  return { location: new URL(callback.headers.get("Location") ?? ""), callbackPath: href ?? "" };
}

const campaignsOf = (t: TestTenant, adAccountId: string) =>
  api<{ items: CampaignView[] }>(
    "GET",
    `/v1/projects/${t.projectId}/ads/campaigns?adAccountId=${adAccountId}`,
    {
      key: t.keys.partner,
    },
  );

describe("connect through the sandbox consent page (test key)", () => {
  it("connects a new Meta account whose existing campaigns are listed unpinned and judged by the layer defaults", async () => {
    const t = await createTenant();
    const { location } = await connectThroughSandbox(t);
    expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL);
    expect(location.searchParams.get("status")).toBe("connected");
    expect(location.searchParams.get("state")).toBe("client-xyz");
    const accountId = location.searchParams.get("accountId") ?? "";
    expect(accountId).toMatch(/^aa_/);
    expect(accountId).not.toBe(t.adAccounts.meta);

    const account = await api<AdAccountView>(
      "GET",
      `/v1/projects/${t.projectId}/ads/ad-accounts/${accountId}`,
      {
        key: t.keys.partner,
      },
    );
    expect(account.status, account.text).toBe(200);
    expect(account.body).toMatchObject({ tokenStatus: "valid", connection: "sandbox" });
    expect(account.body.tokenLastValidatedAt).toBeTruthy();
    expect(account.body.lastSyncedAt).toBeTruthy();

    const list = await campaignsOf(t, accountId);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((c) => c.name).sort()).toEqual([
      "Black Friday teaser",
      "Evergreen prospecting",
      "Retargeting: cart abandoners",
    ]);
    for (const c of list.body.items) {
      expect(c.authoritySource).toBe("layer_defaults");
      expect(c.platformCampaignId).toMatch(/^120\d{15}$/);
    }
    const paused = list.body.items.find((c) => c.name === "Black Friday teaser");
    expect(paused?.status).toBe("paused");

    // The layer's tactical axis decides a budget write on an imported campaign: draft queues it.
    const defaults = await api("PATCH", `/v1/projects/${t.projectId}/ads/meta/defaults`, {
      key: t.keys.customer,
      body: { defaults: { tactical: "draft" } },
    });
    expect(defaults.status, defaults.text).toBe(200);
    const target = list.body.items.find((c) => c.name === "Evergreen prospecting") as CampaignView;
    const budgetPath = `/v1/projects/${t.projectId}/ads/meta/campaigns/${target.campaignId}/budget`;
    const queued = await api<{ pendingId?: string }>("PATCH", budgetPath, {
      key: t.keys.partner,
      body: { dailyBudgetCents: 9_000 },
    });
    expect(queued.status, queued.text).toBe(202);
    expect(queued.body.pendingId).toMatch(/^pa_/);
    await api("PATCH", `/v1/projects/${t.projectId}/ads/meta/defaults`, {
      key: t.keys.customer,
      body: { defaults: { tactical: "off" } },
    });
    const denied = await api("PATCH", budgetPath, { key: t.keys.partner, body: { dailyBudgetCents: 9_500 } });
    expect(expectError(denied, 403, "AUTHORITY_DENIED")).toMatchObject({
      axis: "tactical",
      currentMode: "off",
    });

    // Re-sync creates nothing new.
    const sync = await api<{ jobId: string }>(
      "POST",
      `/v1/projects/${t.projectId}/ads/ad-accounts/${accountId}/sync`,
      { key: t.keys.partner },
    );
    expect(sync.status, sync.text).toBe(202);
    const job = await waitForJob(t.keys.partner, sync.body.jobId);
    expect(job).toMatchObject({
      kind: "sync_account",
      status: "completed",
      result: { campaignsCreated: 0, campaignsUnchanged: 3, campaignsSeen: 3, adSetsSeen: 3, pages: 2 },
    });
    expect((await campaignsOf(t, accountId)).body.items).toHaveLength(3);

    // Only the customer disconnects; afterwards the campaigns stay readable and writes answer 404.
    const byPartner = await api("DELETE", `/v1/projects/${t.projectId}/ads/ad-accounts/${accountId}`, {
      key: t.keys.partner,
    });
    expect(expectError(byPartner, 403, "AUTHORITY_DENIED").verdictId).toMatch(/^ver_/);
    const byCustomer = await api<AdAccountView>(
      "DELETE",
      `/v1/projects/${t.projectId}/ads/ad-accounts/${accountId}`,
      {
        key: t.keys.customer,
      },
    );
    expect(byCustomer.status, byCustomer.text).toBe(200);
    expect(byCustomer.body.tokenStatus).toBe("revoked");
    const stored = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM ad_account_credentials WHERE ad_account_id = ?",
    )
      .bind(accountId)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
    await api("PATCH", `/v1/projects/${t.projectId}/ads/meta/defaults`, {
      key: t.keys.customer,
      body: { defaults: { tactical: "auto" } },
    });
    const after = await api("PATCH", budgetPath, { key: t.keys.partner, body: { dailyBudgetCents: 9_900 } });
    expect(expectError(after, 404, "NOT_FOUND")).toMatchObject({ reason: "platform_oauth_not_connected" });
    const read = await api("GET", `/v1/projects/${t.projectId}/ads/meta/campaigns/${target.campaignId}`, {
      key: t.keys.partner,
    });
    expect(read.status, read.text).toBe(200);
    const create = await api("POST", `/v1/projects/${t.projectId}/ads/meta/campaigns`, {
      key: t.keys.partner,
      body: {
        adAccountId: accountId,
        name: "After disconnect",
        outcome: "traffic",
        dailyBudgetCents: 5000,
        campaignManagementMode: "autopilot",
        creativeMode: "autopilot",
      },
    });
    expectError(create, 404, "NOT_FOUND");

    // No credential ever reaches an audit row.
    const audit = await api("GET", "/v1/audit-log?limit=200", { key: t.keys.customer });
    expect(audit.text).toContain("ad_account.connected");
    expect(audit.text).toContain("campaign.imported");
    expect(audit.text).toContain("ad_account.disconnected");
    expect(audit.text).not.toContain("sbx_tok_");
  });

  it("TikTok connects the same way (auth_code), with its own deterministic campaigns", async () => {
    const t = await createTenant();
    const { location } = await connectThroughSandbox(t, "allow", "tiktok");
    expect(location.searchParams.get("status")).toBe("connected");
    const list = await campaignsOf(t, location.searchParams.get("accountId") ?? "");
    expect(list.body.items.map((c) => c.name)).toContain("Spark ads: creators");
  });

  it("denial, replay and a forged state store nothing", async () => {
    const t = await createTenant();
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM ad_accounts WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    const denied = await connectThroughSandbox(t, "deny");
    expect(denied.location.searchParams.get("status")).toBe("error");
    expect(denied.location.searchParams.get("code")).toBe("access_denied");
    expect(denied.location.searchParams.get("state")).toBe("client-xyz");

    const connected = await connectThroughSandbox(t);
    const replay = await visit(connected.callbackPath);
    expect(replay.status).toBe(302);
    const replayed = new URL(replay.headers.get("Location") ?? "");
    expect(replayed.searchParams.get("code")).toBe("state_used");

    const forged = await visit("/v1/oauth/meta/callback?code=sbx_x&state=forged-state");
    expectError(forged, 404, "NOT_FOUND");
    const after = await env.DB.prepare("SELECT COUNT(*) AS n FROM ad_accounts WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect((after?.n ?? 0) - (before?.n ?? 0)).toBe(1);
  });

  it("an expired state answers status=error&code=state_expired", async () => {
    const t = await createTenant();
    const start = await api<{ url: string }>(
      "POST",
      `/v1/projects/${t.projectId}/ads/ad-accounts/oauth-url`,
      {
        key: t.keys.partner,
        body: { platform: "meta", returnUrl: RETURN_URL },
      },
    );
    const state = new URL(start.body.url).searchParams.get("state") ?? "";
    await env.DB.prepare(
      "UPDATE oauth_states SET expires_at = '2000-01-01T00:00:00.000Z' WHERE project_id = ?",
    )
      .bind(t.projectId)
      .run();
    const res = await visit(`/v1/oauth/meta/callback?code=sbx_1&state=${encodeURIComponent(state)}`);
    expect(new URL(res.headers.get("Location") ?? "").searchParams.get("code")).toBe("state_expired");
  });
});

describe("a consent is bound to its key", () => {
  it("a key revoked between oauth-url and the callback connects nothing", async () => {
    const t = await createTenant();
    const start = await api<{ url: string }>(
      "POST",
      `/v1/projects/${t.projectId}/ads/ad-accounts/oauth-url`,
      {
        key: t.keys.partner,
        body: { platform: "meta", returnUrl: RETURN_URL },
      },
    );
    const state = new URL(start.body.url).searchParams.get("state") ?? "";
    await env.DB.prepare("UPDATE api_keys SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE id = ?")
      .bind(t.keyIds.partner)
      .run();
    const res = await visit(`/v1/oauth/meta/callback?code=sbx_1&state=${encodeURIComponent(state)}`);
    expect(new URL(res.headers.get("Location") ?? "").searchParams.get("code")).toBe("key_revoked");
  });
});

describe("oauth-url", () => {
  const path = (t: TestTenant) => `/v1/projects/${t.projectId}/ads/ad-accounts/oauth-url`;

  it("refuses a returnUrl outside the key's allowlist; the allowlist admits its own prefix", async () => {
    const t = await createTenant();
    const live = await t.addKey({ env: "live" });
    const outside = await api("POST", path(t), {
      key: live.key,
      body: { platform: "meta", returnUrl: "https://partner.example/oauth/done" },
    });
    expect(expectError(outside, 422, "VALIDATION").issues).toEqual([
      expect.objectContaining({ path: "returnUrl" }),
    ]);
    const localhostForLive = await api("POST", path(t), {
      key: live.key,
      body: { platform: "meta", returnUrl: RETURN_URL },
    });
    expectError(localhostForLive, 422, "VALIDATION");
    await env.DB.prepare("UPDATE api_keys SET return_url_allowlist = ? WHERE id = ?")
      .bind(JSON.stringify(["https://partner.example/oauth"]), live.keyId)
      .run();
    const inside = await api<{ url: string }>("POST", path(t), {
      key: live.key,
      body: { platform: "tiktok_ads", returnUrl: "https://partner.example/oauth/done" },
    });
    expect(inside.status, inside.text).toBe(200);
    const url = new URL(inside.body.url);
    expect(`${url.origin}${url.pathname}`).toBe("https://business-api.tiktok.com/portal/auth");
    expect(url.searchParams.get("app_id")).toBe("test-tiktok-app");
    expect(url.searchParams.get("redirect_uri")).toBe("https://api.test/v1/oauth/tiktok/callback");
    const sneaky = await api("POST", path(t), {
      key: live.key,
      body: { platform: "meta", returnUrl: "https://partner.example/oauthevil" },
    });
    expectError(sneaky, 422, "VALIDATION");
  });

  it("validates the body and the scope", async () => {
    const t = await createTenant();
    const apple = await api("POST", path(t), {
      key: t.keys.partner,
      body: { platform: "apple", returnUrl: RETURN_URL },
    });
    expectError(apple, 422, "VALIDATION");
    const readOnly = await api("POST", path(t), {
      key: t.keys.readOnly,
      body: { platform: "meta", returnUrl: RETURN_URL },
    });
    expectError(readOnly, 403, "FORBIDDEN_SCOPE");
    const other = await createTenant();
    const foreign = await api("POST", path(other), {
      key: t.keys.partner,
      body: { platform: "meta", returnUrl: RETURN_URL },
    });
    expectError(foreign, 404, "NOT_FOUND");
  });
});
