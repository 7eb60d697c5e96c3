/**
 * Builds the Hono app: middleware order, the validation hook, and every route, registered
 * explicitly here so the whole surface is visible in one place.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { authenticate } from "./http/auth";
import { jsonBody } from "./http/body";
import type { AppEnv } from "./http/context";
import { d1Session } from "./http/d1-session";
import { onError, onNotFound } from "./http/error-envelope";
import { notFound, schemaIssues, type ValidationIssue, validationError } from "./http/errors";
import { requestId } from "./http/request-id";
import { serverTiming, timed } from "./http/timing";
import { observeRequest } from "./observability/request-log";
import { registerAppleCredentials } from "./routes/ad-accounts/apple-credentials";
import { registerDisconnectAdAccount } from "./routes/ad-accounts/disconnect";
import { registerGetAdAccount } from "./routes/ad-accounts/get";
import { registerListAdAccounts } from "./routes/ad-accounts/list";
import { registerOAuthUrl } from "./routes/ad-accounts/oauth-url";
import { registerSyncAdAccount } from "./routes/ad-accounts/sync";
import { registerCreativeWrites } from "./routes/ads/creative";
import { registerAdLifecycleWrites } from "./routes/ads/lifecycle";
import { registerPushCreative } from "./routes/ads/push";
import { registerAdReads } from "./routes/ads/read";
import { registerUpdateAdsetBudget } from "./routes/adsets/budget";
import { registerCreateAdset } from "./routes/adsets/create";
import { registerAdsetLifecycleWrites } from "./routes/adsets/lifecycle";
import { registerAdsetReads } from "./routes/adsets/read";
import { registerUpdateAdsetSchedule } from "./routes/adsets/schedule";
import { registerUpdateTargeting } from "./routes/adsets/targeting";
import { registerCreateApiKey } from "./routes/api-keys/create";
import { registerKillApiKey } from "./routes/api-keys/kill";
import { registerListApiKeys } from "./routes/api-keys/list";
import { registerRevokeApiKey } from "./routes/api-keys/revoke";
import { registerRotateApiKey } from "./routes/api-keys/rotate";
import { registerUnkillApiKey } from "./routes/api-keys/unkill";
import { registerListAuditLog } from "./routes/audit/list";
import { registerVerifyAuditLog } from "./routes/audit/verify";
import { registerGetAuthority } from "./routes/authority/get";
import { registerPatchAuthority } from "./routes/authority/patch";
import { registerUpdateBudget } from "./routes/campaigns/budget";
import { registerCreateCampaign } from "./routes/campaigns/create";
import { registerGetCampaign } from "./routes/campaigns/get";
import { registerLifecycleWrites } from "./routes/campaigns/lifecycle";
import { registerListCampaigns } from "./routes/campaigns/list";
import { registerCampaignTactics } from "./routes/campaigns/tactics";
import { registerCreateCreative } from "./routes/creatives/create";
import { registerGetCreative } from "./routes/creatives/get";
import { registerListCreatives } from "./routes/creatives/list";
import { registerGetDefaults } from "./routes/defaults/get";
import { registerPatchDefaults } from "./routes/defaults/patch";
import { registerGetJob } from "./routes/jobs/get";
import { registerListKeywords } from "./routes/keywords/list";
import { registerKeywordWrites } from "./routes/keywords/write";
import { registerOAuthCallback } from "./routes/oauth/callback";
import { registerSandboxConsent } from "./routes/oauth/sandbox-consent";
import { registerDispatchBrake } from "./routes/ops/dispatch-brake";
import { registerDecidePending } from "./routes/pending/decide";
import { registerListPending } from "./routes/pending/list";
import { registerBenchProbe } from "./routes/system/bench";
import { registerDocs } from "./routes/system/docs";
import { registerWhoami } from "./routes/system/whoami";
import { registerWebhookDeliveries } from "./routes/webhooks/deliveries";
import { registerWebhookEndpoints } from "./routes/webhooks/endpoints";

const LOCATIONS: Record<string, ValidationIssue["location"]> = {
  json: "body",
  query: "query",
  header: "header",
};

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      // Malformed path parameters (unknown platform, malformed id) name nothing that exists.
      if (result.target === "param") throw notFound();
      const location = LOCATIONS[result.target] ?? "body";
      throw validationError(schemaIssues(result.error.issues, location));
    },
  });

  app.use("*", requestId);
  app.use("*", observeRequest);
  app.onError(onError);
  app.notFound(onNotFound);

  // Server-Timing per stage, only when SERVER_TIMING=1 (bench and dev; see src/http/timing.ts).
  app.use("*", serverTiming);

  // The runtime's floors for benchmarks, no auth and no I/O: reads are judged against
  // /healthz; writes against /healthz/write, which reads and parses a JSON body as writes do.
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.post("/healthz/write", jsonBody, (c) => c.json({ ok: true }));
  registerBenchProbe(app);
  registerDocs(app);
  registerDispatchBrake(app);

  // Public: the platforms (and the sandbox page) call these; the single-use state is the guard.
  registerOAuthCallback(app);
  registerSandboxConsent(app);

  app.use("/v1/*", timed("auth", authenticate));
  // Reads go through a D1 session with the caller's bookmark (read replication, see README).
  app.use("/v1/*", d1Session);
  registerWhoami(app);
  registerListAdAccounts(app);
  registerOAuthUrl(app);
  registerAppleCredentials(app);
  registerGetAdAccount(app);
  registerDisconnectAdAccount(app);
  registerSyncAdAccount(app);
  registerKillApiKey(app);
  registerUnkillApiKey(app);
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerRevokeApiKey(app);
  registerRotateApiKey(app);
  registerListCampaigns(app);
  registerCreateCampaign(app);
  registerGetCampaign(app);
  registerUpdateBudget(app);
  registerLifecycleWrites(app);
  registerAdsetReads(app);
  registerUpdateTargeting(app);
  registerAdsetLifecycleWrites(app);
  registerAdReads(app);
  registerPushCreative(app);
  registerCreativeWrites(app);
  registerAdLifecycleWrites(app);
  registerUpdateAdsetBudget(app);
  registerListKeywords(app);
  registerKeywordWrites(app);
  registerCreateAdset(app);
  registerUpdateAdsetSchedule(app);
  registerCampaignTactics(app);
  registerGetAuthority(app);
  registerPatchAuthority(app);
  registerGetDefaults(app);
  registerPatchDefaults(app);
  registerListPending(app);
  registerDecidePending(app);
  registerGetJob(app);
  registerListCreatives(app);
  registerCreateCreative(app);
  registerGetCreative(app);
  registerListAuditLog(app);
  registerVerifyAuditLog(app);
  registerWebhookEndpoints(app);
  registerWebhookDeliveries(app);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key `lp_<env>_<keyId>_<secret>`. Each operation lists the scope it requires.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Ads Partner API",
      version: "1.0.0",
      description:
        "Create and steer ad campaigns on Meta, TikTok and Apple Search Ads for your customers. Every write passes the customer's authority gate.",
    },
    servers: [{ url: "http://localhost:8787", description: "Local development" }],
    // Reading order for the reference: what a partner does most first, operators last.
    tags: [
      { name: "Campaigns", description: "Create campaigns and read them." },
      { name: "Campaign writes", description: "Gated writes: budget, pause, resume, delete." },
      {
        name: "Ad sets",
        description: "The campaign's ad sets (TikTok and Apple: ad groups) and their gated writes.",
      },
      { name: "Authority", description: "Per-campaign authority and the layer defaults." },
      { name: "Pending actions", description: "The draft queue the customer approves or rejects." },
      { name: "Jobs", description: "Poll what a write set in motion." },
      { name: "Creatives", description: "The project's creative library." },
      { name: "Ad accounts", description: "Connect customers' ad accounts and watch their health." },
      { name: "Webhooks", description: "Signed events pushed to your endpoints." },
      { name: "API keys", description: "Key lifecycle (customer keys) and the kill switch." },
      { name: "Audit log", description: "The hash-chained record of every decision." },
      { name: "System", description: "Who is calling." },
      { name: "Operations", description: "For the people who run this API, never for partners." },
    ],
  });
  return app;
}
