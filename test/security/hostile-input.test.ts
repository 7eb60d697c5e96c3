/**
 * Hostile input against every route of the app (SPEC §5, §8: "No input of any shape produces
 * a 5xx"). Property-based: random JSON shapes, wrong types per field, huge strings, unicode,
 * deep nesting, wrong content types, invalid UTF-8, random path ids, query strings, methods
 * and headers. For every answer:
 *   - never a 5xx;
 *   - a 4xx is exactly the documented envelope `{ error: { code, message, requestId, details? } }`,
 *     with the status its code stands for and `X-Request-Id` equal to `error.requestId`;
 *   - a rejected request changes nothing: campaigns, jobs, pending actions, layer policies and
 *     key kills are untouched in D1, and the audit chain only grows by the deny verdict of a
 *     gate denial (or the `auth.failed` event of a forged secret).
 *
 * The fixture layer is in `draft` on every axis, so an accepted write only queues a pending
 * action: nothing is dispatched in the background while the properties watch D1.
 */
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { PARTNER_SCOPES } from "../../src/db/tenant-seed";
import { ERROR_STATUS, type ErrorCode } from "../../src/http/errors";
import type { ApiResponse } from "../helpers/http";
import { pollPause } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

// ------------------------------------------------------------------------------ fixture

let tenant: TestTenant;
let other: TestTenant;
let campaignId: string;
let adsetId: string;
let appleAdsetId = "";
let adId: string;
let jobId: string;
let victimKeyId: string;
let creativeId: string;
let endpointId: string;
let doomedEndpointId: string;
let deliveryId: string;

const ULID_CHARS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ulidArb = fc
  .array(fc.constantFrom(...ULID_CHARS), { minLength: 26, maxLength: 26 })
  .map((chars) => chars.join(""));
/** A well-formed id that names nothing. */
const wellFormed = (prefix: string) => ulidArb.map((ulid) => `${prefix}_${ulid}`);
const somePendingId = "pa_01JD2V4W3X5Y6Z7A8B9C0D1E2F";

async function waitForJob(key: string, id: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  let last = "";
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const res = await send({ method: "GET", path: `/v1/jobs/${id}`, key });
    last = `${res.status} ${res.text}`;
    if (res.status === 200 && (res.body as { status: string }).status !== "running")
      return res.body as Record<string, unknown>;
    await pollPause(attempt);
  }
  throw new Error(`job ${id} did not settle: ${last}`);
}

beforeAll(async () => {
  tenant = await createTenant({ name: "Hostile" });
  other = await createTenant({ name: "Bystander" });
  victimKeyId = (await tenant.addKey()).keyId;
  const creative = await send({
    method: "POST",
    path: `/v1/projects/${tenant.projectId}/ads/creatives`,
    key: tenant.keys.customer,
    body: JSON.stringify(creativeBody()),
  });
  if (creative.status !== 201)
    throw new Error(`fixture creative failed: ${creative.status} ${creative.text}`);
  creativeId = (creative.body as { creativeId: string }).creativeId;
  // One real campaign, pinned to draft on every axis, created while the layer is on auto.
  const created = await send({
    method: "POST",
    path: `/v1/projects/${tenant.projectId}/ads/meta/campaigns`,
    key: tenant.keys.customer,
    body: JSON.stringify({
      adAccountId: tenant.adAccounts.meta,
      name: "hostile fixture",
      outcome: "conversions",
      dailyBudgetCents: 5000,
      campaignManagementMode: "draft",
      creativeMode: "draft",
    }),
  });
  if (created.status !== 202) throw new Error(`fixture create failed: ${created.status} ${created.text}`);
  campaignId = (created.body as { campaignId: string }).campaignId;
  jobId = (created.body as { jobId: string }).jobId;
  const job = await waitForJob(tenant.keys.customer, jobId);
  if (job.status !== "completed") throw new Error(`fixture job: ${JSON.stringify(job)}`);
  for (let i = 0; i < 50 && !adsetId; i++) {
    const page = await send({
      method: "GET",
      path: `/v1/projects/${tenant.projectId}/ads/adsets?campaignId=${campaignId}`,
      key: tenant.keys.customer,
    });
    adsetId = (page.body as { items: { adsetId: string }[] }).items[0]?.adsetId ?? "";
    if (!adsetId) await pollPause(i);
  }
  if (!adsetId) throw new Error("fixture ad set did not appear");
  // An Apple campaign too, for the routes of Apple ad groups (keywords); pinned to draft likewise.
  const apple = await send({
    method: "POST",
    path: `/v1/projects/${tenant.projectId}/ads/apple/campaigns`,
    key: tenant.keys.customer,
    body: JSON.stringify({
      adAccountId: tenant.adAccounts.apple,
      name: "hostile apple fixture",
      outcome: "app_installs",
      dailyBudgetCents: 5000,
      campaignManagementMode: "draft",
      creativeMode: "draft",
    }),
  });
  if (apple.status !== 202) throw new Error(`fixture apple create failed: ${apple.status} ${apple.text}`);
  const appleCampaignId = (apple.body as { campaignId: string }).campaignId;
  await waitForJob(tenant.keys.customer, (apple.body as { jobId: string }).jobId);
  for (let i = 0; i < 50 && !appleAdsetId; i++) {
    const page = await send({
      method: "GET",
      path: `/v1/projects/${tenant.projectId}/ads/adsets?campaignId=${appleCampaignId}`,
      key: tenant.keys.customer,
    });
    appleAdsetId = (page.body as { items: { adsetId: string }[] }).items[0]?.adsetId ?? "";
    if (!appleAdsetId) await new Promise((r) => setTimeout(r, 100));
  }
  if (!appleAdsetId) throw new Error("fixture apple ad set did not appear");
  // One real ad: the push waits in the campaign's draft queue until the customer approves it.
  const pushed = await send({
    method: "POST",
    path: `/v1/projects/${tenant.projectId}/ads/meta/adsets/${adsetId}/ads`,
    key: tenant.keys.customer,
    body: JSON.stringify({ creativeId }),
  });
  if (pushed.status !== 202) throw new Error(`fixture push failed: ${pushed.status} ${pushed.text}`);
  const pushedBody = pushed.body as { jobId: string; pendingId: string };
  const approved = await send({
    method: "POST",
    path: `/v1/projects/${tenant.projectId}/ads/meta/pending/${pushedBody.pendingId}/approve`,
    key: tenant.keys.customer,
  });
  if (approved.status !== 200) throw new Error(`fixture approve: ${approved.status} ${approved.text}`);
  const pushJob = await waitForJob(tenant.keys.customer, pushedBody.jobId);
  adId = (pushJob.result as unknown as { adId?: string } | undefined)?.adId ?? "";
  if (!adId) throw new Error(`fixture ad: ${JSON.stringify(pushJob)}`);
  // Then the customer lowers the layer to draft: partners cannot raise anything above it,
  // and every accepted write (create included) waits in the draft queue.
  for (const platform of ["meta", "tiktok", "apple"]) {
    const res = await send({
      method: "PATCH",
      path: `/v1/projects/${tenant.projectId}/ads/${platform}/defaults`,
      key: tenant.keys.customer,
      body: JSON.stringify({ defaults: { creative: "draft", tactical: "draft", structural: "draft" } }),
    });
    if (res.status !== 200) throw new Error(`fixture defaults: ${res.status} ${res.text}`);
  }
  // Webhook endpoints, disabled so that nothing a property triggers (pings, replays) is
  // retried in the background; one real delivery to replay; one endpoint DELETE may remove.
  const endpoint = async () => {
    const made = await send({
      method: "POST",
      path: "/v1/webhook-endpoints",
      key: tenant.keys.customer,
      body: JSON.stringify({ url: "https://hooks.example.com/hostile", events: ["test.ping"] }),
    });
    if (made.status !== 201) throw new Error(`fixture endpoint: ${made.status} ${made.text}`);
    const id = (made.body as { endpointId: string }).endpointId;
    const off = await send({
      method: "PATCH",
      path: `/v1/webhook-endpoints/${id}`,
      key: tenant.keys.customer,
      body: JSON.stringify({ status: "disabled" }),
    });
    if (off.status !== 200) throw new Error(`fixture endpoint: ${off.status} ${off.text}`);
    return id;
  };
  endpointId = await endpoint();
  doomedEndpointId = await endpoint();
  const pinged = await send({
    method: "POST",
    path: `/v1/webhook-endpoints/${endpointId}/test`,
    key: tenant.keys.customer,
  });
  if (pinged.status !== 202) throw new Error(`fixture ping: ${pinged.status} ${pinged.text}`);
  deliveryId = (pinged.body as { delivery: { deliveryId: string } }).delivery.deliveryId;
  // Let any trailing projection or audit write of the fixture land before watching D1.
  let previous = "";
  for (let i = 0; i < 40; i++) {
    const now = JSON.stringify(await snapshot());
    if (now === previous) break;
    previous = now;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

/** A fresh partner key per property, so no property runs into another's rate limit. */
// A customer key (actor user) with the partner scopes plus keys:write and the webhook scopes,
// so the customer-only key routes and the webhook routes reach their validation and handlers.
const freshKey = async () =>
  (
    await tenant.addKey({
      actorType: "user",
      scopes: [...PARTNER_SCOPES, "keys:write", "webhooks:read", "webhooks:write"],
    })
  ).key;

// ------------------------------------------------------------------------------ routes

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Slot =
  | "creativeId"
  | "projectId"
  | "platform"
  | "campaignId"
  | "adsetId"
  | "adId"
  | "pendingId"
  | "jobId"
  | "keyId"
  | "endpointId"
  | "deliveryId"
  | "adAccountId";

interface FieldSpec {
  /** Dotted path in the body. */
  path: string;
  kind: "string" | "integer" | "enum" | "boolean" | "object" | "array" | "datetime" | "record";
  values?: readonly string[];
  minLength?: number;
  maxLength?: number;
  /** The schema takes null too (e.g. an end time that null clears). */
  nullable?: boolean;
}

interface RouteCase {
  method: Method;
  /** As in the OpenAPI document: `{slot}` placeholders. */
  template: string;
  /** A body the route's schema accepts (undefined: the route takes no body). */
  body?: () => Record<string, unknown>;
  /** Whether the route validates a JSON body with a strict schema. */
  strict?: boolean;
  /** Whether a body is required. */
  required?: boolean;
  fields?: FieldSpec[];
  query?: readonly string[];
  /** A body the handler refuses with 404 (it names nothing), for routes without ids to point elsewhere. */
  refusedBody?: () => Record<string, unknown>;
  /** Ids this route gets instead of the fixture's (a DELETE that must not remove what others read). */
  ids?: () => Partial<Record<Slot, string>>;
}

const MODES = ["off", "draft", "auto"] as const;
const CAMPAIGN = "/v1/projects/{projectId}/ads/{platform}/campaigns/{campaignId}";
const ADSET = "/v1/projects/{projectId}/ads/{platform}/adsets/{adsetId}";
const KEYWORDS = "/v1/projects/{projectId}/ads/apple/adsets/{adsetId}/keywords";
/** The keyword routes address the Apple fixture's ad group. */
const appleIds = () => ({ adsetId: appleAdsetId });
const PENDING = "/v1/projects/{projectId}/ads/{platform}/pending/{pendingId}";
const AD = "/v1/projects/{projectId}/ads/{platform}/ads/{adId}";

const createBody = () => ({
  adAccountId: tenant.adAccounts.meta,
  name: "hostile create",
  outcome: "conversions",
  dailyBudgetCents: 5000,
  campaignManagementMode: "draft",
  creativeMode: "draft",
});

const creativeBody = () => ({
  name: "hostile creative",
  format: "video",
  mediaUrl: "https://cdn.example.com/a.mp4",
  thumbnailUrl: "https://cdn.example.com/a.jpg",
  primaryText: "Hostile but valid.",
  callToAction: "learn_more",
  linkUrl: "https://example.com/",
});

const ROUTES: RouteCase[] = [
  { method: "GET", template: "/v1/whoami" },
  {
    method: "GET",
    template: "/v1/projects/{projectId}/ads/adsets",
    query: ["campaignId", "platforms", "adAccountId", "status", "cursor", "limit"],
  },
  { method: "GET", template: ADSET },
  {
    method: "GET",
    template: "/v1/projects/{projectId}/ads/ads",
    query: ["adsetId", "campaignId", "platforms", "status", "cursor", "limit"],
  },
  { method: "GET", template: AD },
  {
    method: "GET",
    template: "/v1/projects/{projectId}/ads/{platform}/reviews",
    query: ["status", "cursor", "limit"],
  },
  {
    method: "POST",
    template: `${ADSET}/ads`,
    body: () => ({ creativeId }),
    strict: true,
    required: true,
    fields: [
      { path: "creativeId", kind: "string", minLength: 1, maxLength: 64 },
      { path: "name", kind: "string", minLength: 1, maxLength: 255 },
    ],
  },
  {
    method: "PUT",
    template: `${AD}/creative`,
    body: () => ({ creativeId }),
    strict: true,
    required: true,
    fields: [{ path: "creativeId", kind: "string", minLength: 1, maxLength: 64 }],
  },
  {
    method: "DELETE",
    template: `${AD}/creative`,
    body: () => ({}),
    strict: true,
    required: false,
    fields: [],
  },
  { method: "POST", template: `${AD}/pause`, body: () => ({}), strict: true, required: false, fields: [] },
  { method: "POST", template: `${AD}/resume`, body: () => ({}), strict: true, required: false, fields: [] },
  { method: "DELETE", template: AD, body: () => ({}), strict: true, required: false, fields: [] },
  { method: "GET", template: "/v1/projects/{projectId}/ads/ad-accounts", query: ["platforms", "healthy"] },
  { method: "POST", template: "/v1/api-keys/{keyId}/kill" },
  { method: "POST", template: "/v1/api-keys/{keyId}/unkill" },
  {
    method: "POST",
    template: "/v1/api-keys",
    body: () => ({
      name: "hostile",
      scopes: ["ads:read"],
      env: "test",
      actorType: "partner",
      rateLimitTier: "standard",
    }),
    strict: true,
    required: true,
    fields: [
      { path: "name", kind: "string", minLength: 1, maxLength: 128 },
      { path: "scopes", kind: "array" },
      { path: "env", kind: "enum", values: ["live", "test"] },
      { path: "actorType", kind: "enum", values: ["partner", "user"] },
      { path: "rateLimitTier", kind: "enum", values: ["standard", "pilot", "partner"] },
      { path: "returnUrlAllowlist", kind: "array" },
      { path: "expiresAt", kind: "datetime" },
    ],
  },
  { method: "GET", template: "/v1/api-keys", query: ["cursor", "limit"] },
  { method: "GET", template: "/v1/api-keys/{keyId}" },
  { method: "DELETE", template: "/v1/api-keys/{keyId}" },
  {
    method: "POST",
    template: "/v1/api-keys/{keyId}/rotate",
    body: () => ({ gracePeriodSeconds: 60 }),
    strict: true,
    required: false,
    fields: [{ path: "gracePeriodSeconds", kind: "integer" }],
  },
  {
    method: "GET",
    template: "/v1/projects/{projectId}/ads/campaigns",
    query: ["platforms", "adAccountId", "status", "since", "cursor", "limit"],
  },
  {
    method: "POST",
    template: "/v1/projects/{projectId}/ads/{platform}/campaigns",
    body: createBody,
    strict: true,
    required: true,
    fields: [
      { path: "adAccountId", kind: "string", minLength: 1, maxLength: 64 },
      { path: "name", kind: "string", minLength: 1, maxLength: 128 },
      {
        path: "outcome",
        kind: "enum",
        values: ["conversions", "traffic", "awareness", "app_installs", "leads"],
      },
      { path: "dailyBudgetCents", kind: "integer" },
      { path: "lifetimeBudgetCents", kind: "integer" },
      { path: "campaignManagementMode", kind: "enum", values: ["manual", "draft", "autopilot"] },
      { path: "creativeMode", kind: "enum", values: ["manual", "draft", "autopilot"] },
      { path: "startTime", kind: "datetime" },
      { path: "endTime", kind: "datetime" },
      { path: "bidStrategy", kind: "object" },
      { path: "bidStrategy.type", kind: "enum", values: [] },
      { path: "targeting", kind: "object" },
      { path: "targeting.countries", kind: "array" },
      { path: "targeting.ageMin", kind: "integer" },
      { path: "budgetLevel", kind: "enum", values: ["campaign", "adset"] },
      { path: "metadata", kind: "record" },
    ],
  },
  { method: "GET", template: CAMPAIGN },
  {
    method: "PATCH",
    template: `${ADSET}/targeting`,
    body: () => ({ ageMin: 21 }),
    strict: true,
    required: true,
    fields: [
      { path: "countries", kind: "array" },
      { path: "ageMin", kind: "integer" },
      { path: "ageMax", kind: "integer" },
      { path: "genders", kind: "array" },
    ],
  },
  {
    method: "PATCH",
    template: `${ADSET}/schedule`,
    body: () => ({ endTime: "2030-01-01T00:00:00Z" }),
    strict: true,
    required: true,
    fields: [
      { path: "startTime", kind: "datetime" },
      { path: "endTime", kind: "datetime", nullable: true },
      { path: "dayparts", kind: "array" },
    ],
  },
  {
    method: "POST",
    template: `${CAMPAIGN}/adsets`,
    body: () => ({ name: "hostile ad set" }),
    strict: true,
    required: true,
    fields: [
      { path: "name", kind: "string", minLength: 1, maxLength: 128 },
      { path: "optimizationGoal", kind: "string", minLength: 1, maxLength: 64 },
      { path: "targeting", kind: "object" },
      { path: "schedule", kind: "object" },
      { path: "bidStrategy", kind: "object" },
      { path: "dailyBudgetCents", kind: "integer" },
      { path: "lifetimeBudgetCents", kind: "integer" },
    ],
  },
  {
    method: "PATCH",
    template: `${CAMPAIGN}/schedule`,
    body: () => ({ endTime: "2030-01-01T00:00:00Z" }),
    strict: true,
    required: true,
    fields: [
      { path: "startTime", kind: "datetime" },
      { path: "endTime", kind: "datetime", nullable: true },
    ],
  },
  {
    method: "PATCH",
    template: `${CAMPAIGN}/bid-strategy`,
    body: () => ({ type: "LOWEST_COST_WITHOUT_CAP" }),
    strict: true,
    required: true,
    fields: [
      { path: "type", kind: "enum", values: [] },
      { path: "bidAmountCents", kind: "integer" },
    ],
  },
  {
    method: "PATCH",
    template: `${ADSET}/budget`,
    body: () => ({ dailyBudgetCents: 6000 }),
    strict: true,
    required: true,
    fields: [{ path: "dailyBudgetCents", kind: "integer" }],
  },
  {
    method: "PATCH",
    template: `${CAMPAIGN}/budget`,
    body: () => ({ dailyBudgetCents: 6000 }),
    strict: true,
    required: true,
    fields: [{ path: "dailyBudgetCents", kind: "integer" }],
  },
  {
    method: "POST",
    template: `${CAMPAIGN}/pause`,
    body: () => ({}),
    strict: true,
    required: false,
    fields: [],
  },
  {
    method: "POST",
    template: `${CAMPAIGN}/resume`,
    body: () => ({}),
    strict: true,
    required: false,
    fields: [],
  },
  { method: "DELETE", template: CAMPAIGN, body: () => ({}), strict: true, required: false, fields: [] },
  { method: "POST", template: `${ADSET}/pause`, body: () => ({}), strict: true, required: false, fields: [] },
  {
    method: "POST",
    template: `${ADSET}/resume`,
    body: () => ({}),
    strict: true,
    required: false,
    fields: [],
  },
  { method: "DELETE", template: ADSET, body: () => ({}), strict: true, required: false, fields: [] },
  { method: "GET", template: KEYWORDS, query: ["status", "cursor", "limit"], ids: appleIds },
  {
    method: "POST",
    template: KEYWORDS,
    ids: appleIds,
    body: () => ({ keywords: [{ text: "hostile", matchType: "exact", bidAmountCents: 100 }] }),
    strict: true,
    required: true,
    fields: [{ path: "keywords", kind: "array" }],
  },
  {
    method: "PATCH",
    template: KEYWORDS,
    ids: appleIds,
    body: () => ({ keywords: [{ keywordId: "kw_01JD2V4W3X5Y6Z7A8B9C0D1E2F", status: "paused" }] }),
    strict: true,
    required: true,
    fields: [{ path: "keywords", kind: "array" }],
  },
  {
    method: "DELETE",
    template: KEYWORDS,
    ids: appleIds,
    body: () => ({ keywords: [{ keywordId: "kw_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }] }),
    strict: true,
    required: true,
    fields: [{ path: "keywords", kind: "array" }],
  },
  { method: "GET", template: `${CAMPAIGN}/authority` },
  {
    method: "PATCH",
    template: `${CAMPAIGN}/authority`,
    body: () => ({ authority: { creative: "draft" } }),
    strict: true,
    required: true,
    fields: [
      { path: "authority", kind: "object" },
      { path: "authority.creative", kind: "enum", values: MODES },
      { path: "authority.tactical", kind: "enum", values: MODES },
      { path: "authority.structural", kind: "enum", values: MODES },
    ],
  },
  { method: "GET", template: "/v1/projects/{projectId}/ads/{platform}/defaults" },
  {
    method: "PATCH",
    template: "/v1/projects/{projectId}/ads/{platform}/defaults",
    body: () => ({ defaults: { creative: "draft" } }),
    strict: true,
    required: true,
    fields: [
      { path: "defaults", kind: "object" },
      { path: "defaults.creative", kind: "enum", values: MODES },
      { path: "defaults.structural", kind: "enum", values: MODES },
      { path: "killSwitchActive", kind: "boolean" },
      { path: "partnerWritesEnabled", kind: "boolean" },
      { path: "partnerDefaultsChangesAllowed", kind: "boolean" },
    ],
  },
  {
    method: "GET",
    template: "/v1/projects/{projectId}/ads/{platform}/pending",
    query: ["status", "actionType", "cursor", "limit"],
  },
  {
    method: "GET",
    template: "/v1/projects/{projectId}/ads/{platform}/pending/count",
    query: ["status", "actionType"],
  },
  {
    method: "POST",
    template: `${PENDING}/approve`,
    body: () => ({ comment: "fine" }),
    strict: true,
    required: false,
    fields: [{ path: "comment", kind: "string", maxLength: 2000 }],
  },
  {
    method: "POST",
    template: `${PENDING}/reject`,
    body: () => ({ reason: "no" }),
    strict: true,
    required: true,
    fields: [{ path: "reason", kind: "string", minLength: 1, maxLength: 2000 }],
  },
  { method: "GET", template: "/v1/jobs/{jobId}" },
  {
    method: "GET",
    template: "/v1/audit-log",
    query: ["eventType", "projectId", "apiKeyId", "since", "until", "cursor", "limit"],
  },
  { method: "GET", template: "/v1/audit-log/verify" },
  { method: "GET", template: "/v1/projects/{projectId}/ads/creatives", query: ["format", "cursor", "limit"] },
  {
    method: "POST",
    template: "/v1/projects/{projectId}/ads/creatives",
    body: creativeBody,
    strict: true,
    required: true,
    fields: [
      { path: "name", kind: "string", minLength: 1, maxLength: 255 },
      { path: "format", kind: "enum", values: ["image", "video"] },
      { path: "mediaUrl", kind: "string" },
      { path: "primaryText", kind: "string", minLength: 1, maxLength: 2200 },
      { path: "callToAction", kind: "enum", values: ["learn_more", "shop_now"] },
    ],
  },
  { method: "GET", template: "/v1/projects/{projectId}/ads/creatives/{creativeId}" },
  { method: "GET", template: "/v1/webhook-endpoints", query: ["cursor", "limit"] },
  {
    method: "POST",
    template: "/v1/webhook-endpoints",
    body: () => ({ url: "https://hooks.example.com/hostile-new", events: ["test.ping"] }),
    refusedBody: () => ({
      url: "https://hooks.example.com/hostile-new",
      events: ["test.ping"],
      projectId: "prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
    }),
    strict: true,
    required: true,
    fields: [
      { path: "url", kind: "string", minLength: 1, maxLength: 2048 },
      { path: "events", kind: "array" },
      { path: "description", kind: "string", maxLength: 500 },
      { path: "projectId", kind: "string" },
    ],
  },
  { method: "GET", template: "/v1/webhook-endpoints/{endpointId}" },
  {
    method: "PATCH",
    template: "/v1/webhook-endpoints/{endpointId}",
    body: () => ({ description: "hostile" }),
    strict: true,
    required: true,
    fields: [
      { path: "url", kind: "string", minLength: 1, maxLength: 2048 },
      { path: "events", kind: "array" },
      { path: "status", kind: "enum", values: ["active", "disabled"] },
    ],
  },
  {
    method: "DELETE",
    template: "/v1/webhook-endpoints/{endpointId}",
    ids: () => ({ endpointId: doomedEndpointId }),
  },
  { method: "POST", template: "/v1/webhook-endpoints/{endpointId}/rotate-secret" },
  { method: "POST", template: "/v1/webhook-endpoints/{endpointId}/test" },
  { method: "GET", template: "/v1/webhook-endpoints/{endpointId}/deliveries", query: ["cursor", "limit"] },
  { method: "POST", template: "/v1/webhook-deliveries/{deliveryId}/replay" },
];
/** Served outside /v1, without authentication. */
const AD_ACCOUNT = "/v1/projects/{projectId}/ads/ad-accounts/{adAccountId}";
ROUTES.push(
  { method: "GET", template: AD_ACCOUNT },
  { method: "POST", template: `${AD_ACCOUNT}/sync` },
  { method: "DELETE", template: AD_ACCOUNT },
  {
    method: "POST",
    template: "/v1/projects/{projectId}/ads/ad-accounts/oauth-url",
    body: () => ({ platform: "meta", returnUrl: "http://localhost:3000/connected" }),
    strict: true,
    required: true,
    fields: [
      { path: "platform", kind: "enum", values: ["meta", "tiktok", "meta_ads", "tiktok_ads"] },
      { path: "returnUrl", kind: "string", minLength: 1, maxLength: 2048 },
      { path: "state", kind: "string", maxLength: 512 },
    ],
  },
  {
    method: "POST",
    template: "/v1/projects/{projectId}/ads/ad-accounts/apple/credentials",
    body: () => ({ clientId: "SEARCHADS.c", teamId: "SEARCHADS.t", keyId: "k", privateKey: "not a key" }),
    strict: true,
    required: true,
    fields: [
      { path: "clientId", kind: "string", minLength: 1, maxLength: 256 },
      { path: "teamId", kind: "string", minLength: 1, maxLength: 256 },
      { path: "keyId", kind: "string", minLength: 1, maxLength: 256 },
      { path: "privateKey", kind: "string", minLength: 1, maxLength: 8192 },
    ],
  },
);

/** Documented operations without an API key (the OAuth callback and the sandbox consent page). */
const PUBLIC_OPERATIONS: RouteCase[] = [
  { method: "GET", template: "/v1/oauth/{platform}/callback" },
  { method: "GET", template: "/v1/oauth/{platform}/sandbox/consent" },
];

const PUBLIC_ROUTES: RouteCase[] = [
  { method: "GET", template: "/healthz" },
  { method: "GET", template: "/openapi.json" },
  ...PUBLIC_OPERATIONS,
];

const WRITES = ROUTES.filter((r) => r.method !== "GET");
const STRICT = ROUTES.filter((r) => r.strict);
const GETS = ROUTES.filter((r) => r.method === "GET");

const realIds = (): Record<Slot, string> => ({
  projectId: tenant.projectId,
  platform: "meta",
  campaignId,
  adsetId,
  adId,
  // No real pending action is ever addressed: approving one would dispatch in the background.
  pendingId: somePendingId,
  jobId,
  keyId: victimKeyId,
  creativeId,
  endpointId,
  deliveryId,
  // Not the fixture campaign's account: a disconnect here must not take the fixture down.
  adAccountId: tenant.adAccounts.tiktok,
});

function fill(template: string, overrides: Partial<Record<Slot, string>> = {}): string {
  const ids = { ...realIds(), ...overrides };
  return template.replace(/\{(\w+)\}/g, (_, slot: Slot) => ids[slot]);
}

const fillRoute = (route: RouteCase, overrides: Partial<Record<Slot, string>> = {}) =>
  fill(route.template, { ...route.ids?.(), ...overrides });

const slotsOf = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as Slot);

// ------------------------------------------------------------------------------ requests

interface HostileRequest {
  method: string;
  path: string;
  /** A full API key, sent as `Authorization: Bearer <key>` unless headers say otherwise. */
  key?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Content-Type for the body: application/json unless given; null sends none. */
  contentType?: string | null;
}

interface Sent extends ApiResponse {
  request: HostileRequest;
}

const preview = (value: unknown, max = 400) => {
  const text =
    typeof value === "string"
      ? value
      : value instanceof Uint8Array
        ? `<${value.byteLength} bytes: ${[...value.slice(0, 40)].map((b) => b.toString(16).padStart(2, "0")).join(" ")}>`
        : JSON.stringify(value);
  return text === undefined
    ? "undefined"
    : text.length > max
      ? `${text.slice(0, max)}… (${text.length} chars)`
      : text;
};

function describeRequest(req: HostileRequest): string {
  const headers = { ...requestHeaders(req) };
  if (req.key && headers.Authorization === `Bearer ${req.key}`) headers.Authorization = "Bearer <valid key>";
  return `${req.method} ${preview(req.path, 300)} headers=${preview(headers, 600)} body=${preview(req.body)}`;
}

function requestHeaders(req: HostileRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  if (req.key) headers.Authorization = `Bearer ${req.key}`;
  if (req.body !== undefined && req.contentType !== null)
    headers["Content-Type"] = req.contentType ?? "application/json";
  return { ...headers, ...req.headers };
}

async function send(req: HostileRequest): Promise<Sent> {
  const body = typeof req.body === "string" ? new TextEncoder().encode(req.body) : req.body;
  const withBody = req.method !== "GET" && req.method !== "HEAD";
  const response = await exports.default.fetch(
    new Request(`https://api.test${req.path}`, {
      method: req.method,
      headers: requestHeaders(req),
      body: withBody ? body : undefined,
    }),
  );
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return {
    status: response.status,
    headers: response.headers,
    body: parsed as Record<string, unknown>,
    text,
    request: req,
  };
}

/** Whether a header value survives the Headers API (no NUL/CR/LF, Latin-1 only). */
const headerSafe = (value: string) => {
  try {
    new Headers({ x: value });
    return true;
  } catch {
    return false;
  }
};
/** The value the server sees: the Headers API trims surrounding whitespace. */
const asSent = (value: string) => new Headers({ x: value }).get("x") ?? "";

// ------------------------------------------------------------------------------ invariants

const LEAKS = /SQLITE|D1_ERROR|node_modules|\.ts:\d+|\bat (async )?[\w.$<>]+ \(|drizzle|stack/i;
const ISSUE_LOCATIONS = ["body", "query", "header"];

function context(res: Sent): string {
  return `${describeRequest(res.request)}\n  → ${res.status} ${preview(res.text, 1500)}`;
}

/** Never a 5xx; every 4xx is the documented envelope. */
function expectWellFormed(res: Sent): void {
  const ctx = context(res);
  expect(res.status, ctx).toBeLessThan(500);
  const requestId = res.headers.get("X-Request-Id");
  expect(requestId, ctx).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
  if (res.status < 400 || res.request.method === "HEAD") return;
  expect(res.headers.get("Content-Type"), ctx).toMatch(/^application\/json/);
  expect(res.body && typeof res.body === "object" && !Array.isArray(res.body), ctx).toBe(true);
  expect(Object.keys(res.body), ctx).toEqual(["error"]);
  const error = res.body.error as Record<string, unknown>;
  expect(error && typeof error === "object" && !Array.isArray(error), ctx).toBe(true);
  for (const key of Object.keys(error))
    expect(["code", "message", "requestId", "details"], ctx).toContain(key);
  const code = error.code as ErrorCode;
  expect(Object.keys(ERROR_STATUS), ctx).toContain(code);
  expect(res.status === ERROR_STATUS[code] || (code === "VALIDATION" && res.status === 400), ctx).toBe(true);
  expect(typeof error.message === "string" && error.message.length > 0, ctx).toBe(true);
  if (res.headers.get("Idempotent-Replayed") === "true") {
    // A replay repeats the first response's body byte for byte, request id included.
    expect(error.requestId, ctx).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
  } else {
    expect(error.requestId, ctx).toBe(requestId);
  }
  if (error.details !== undefined) {
    expect(error.details && typeof error.details === "object" && !Array.isArray(error.details), ctx).toBe(
      true,
    );
  }
  if (code === "VALIDATION") {
    const issues = (error.details as { issues?: unknown })?.issues;
    expect(Array.isArray(issues) && issues.length > 0, ctx).toBe(true);
    for (const issue of issues as Record<string, unknown>[]) {
      expect(ISSUE_LOCATIONS, ctx).toContain(issue.location);
      expect(typeof issue.path, ctx).toBe("string");
      expect(typeof issue.message === "string" && issue.message.length > 0, ctx).toBe(true);
    }
  }
  if (code === "RATE_LIMITED") expect(res.headers.get("Retry-After"), ctx).toMatch(/^\d+$/);
  expect(error.message as string, ctx).not.toMatch(LEAKS);
}

function expectError(res: Sent, status: number, code: ErrorCode): Record<string, unknown> {
  const ctx = context(res);
  expect(`${res.status} ${(res.body?.error as { code?: string })?.code}`, ctx).toBe(`${status} ${code}`);
  return ((res.body.error as { details?: Record<string, unknown> }).details ?? {}) as Record<string, unknown>;
}

function issuePaths(res: Sent): string[] {
  const details = (res.body?.error as { details?: { issues?: { path: string }[] } })?.details;
  return (details?.issues ?? []).map((i) => i.path);
}

interface Snapshot {
  fingerprint: string;
  seq: Record<string, number>;
}

const FINGERPRINT_SQL = `SELECT
  (SELECT count(*) || '/' || ifnull(sum(state_version), 0) || '/' || ifnull(sum(authority_version), 0)
     FROM campaigns WHERE organization_id = ?1) AS campaigns,
  (SELECT count(*) || '/' || ifnull(sum(state_version), 0) FROM jobs WHERE organization_id = ?1) AS jobs,
  (SELECT count(*) || '/' || ifnull(sum(state_version), 0) FROM pending_actions WHERE organization_id = ?1) AS pending,
  (SELECT ifnull(sum(p.version), 0) FROM layer_policies p JOIN layers l ON l.id = p.layer_id
     WHERE l.organization_id = ?1) AS policies,
  (SELECT count(*) FROM api_keys WHERE organization_id = ?1 AND (killed_at IS NOT NULL OR revoked_at IS NOT NULL)) AS keys,
  (SELECT count(*) FROM creatives WHERE organization_id = ?1) AS creatives,
  (SELECT ifnull(max(seq), 0) FROM audit_events WHERE organization_id = ?1) AS seq`;

async function snapshot(): Promise<Snapshot> {
  const orgs = [tenant.organizationId, other.organizationId];
  const rows = await env.DB.batch(orgs.map((org) => env.DB.prepare(FINGERPRINT_SQL).bind(org)));
  const parts = rows.map((r) => r.results[0] as Record<string, string | number>);
  return {
    fingerprint: JSON.stringify(parts.map(({ seq: _seq, ...rest }) => rest)),
    seq: Object.fromEntries(orgs.map((org, i) => [org, Number(parts[i]?.seq ?? 0)])),
  };
}

/** A rejected request changed nothing but the audit trail of its own denial. */
async function expectUnchanged(before: Snapshot, res: Sent): Promise<void> {
  const after = await snapshot();
  const ctx = context(res);
  expect(after.fingerprint, `state changed on a rejected request: ${ctx}`).toBe(before.fingerprint);
  const error = res.body?.error as { code?: string; details?: { verdictId?: string } } | undefined;
  for (const [org, seq] of Object.entries(before.seq)) {
    if (after.seq[org] === seq) continue;
    const { results } = await env.DB.prepare(
      "SELECT event_type, verdict_id, data FROM audit_events WHERE organization_id = ? AND seq > ? ORDER BY seq",
    )
      .bind(org, seq)
      .all<{ event_type: string; verdict_id: string | null; data: string }>();
    for (const row of results) {
      const denial =
        row.event_type === "verdict" &&
        error?.code === "AUTHORITY_DENIED" &&
        row.verdict_id === error.details?.verdictId &&
        (JSON.parse(row.data) as { decision?: string }).decision === "deny";
      // A forged secret for a real key id is audited in the background (auth.ts).
      const authFailure = row.event_type === "auth.failed";
      expect(
        denial || authFailure,
        `audit event ${row.event_type} ${row.data} on a rejected request: ${ctx}`,
      ).toBe(true);
    }
  }
}

/** Sends, checks the envelope, and for a rejection checks that nothing changed. */
async function hit(req: HostileRequest): Promise<Sent> {
  const before = await snapshot();
  const res = await send(req);
  expectWellFormed(res);
  if (res.status >= 400) await expectUnchanged(before, res);
  return res;
}

// ------------------------------------------------------------------------------ generators

type JsonKind = "null" | "boolean" | "number" | "string" | "array" | "object";
const kindOf = (v: unknown): JsonKind =>
  v === null ? "null" : Array.isArray(v) ? "array" : (typeof v as "boolean" | "number" | "string" | "object");

const unicode = (maxLength = 40) => fc.string({ unit: "binary", maxLength });
const smallJson = fc.jsonValue({ maxDepth: 2 });
const anyJsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  unicode(),
  fc.array(smallJson, { maxLength: 3 }),
  fc.dictionary(unicode(8), smallJson, { maxKeys: 3 }),
);
const EXPECTED_KIND: Record<FieldSpec["kind"], JsonKind> = {
  string: "string",
  enum: "string",
  datetime: "string",
  integer: "number",
  boolean: "boolean",
  object: "object",
  record: "object",
  array: "array",
};

/** A value the field must refuse: another JSON type, or the right type with a bad value. */
function badValue(field: FieldSpec): fc.Arbitrary<unknown> {
  const wrongType = anyJsonValue.filter(
    (v) => kindOf(v) !== EXPECTED_KIND[field.kind] && !(field.nullable && v === null),
  );
  const badOfKind: fc.Arbitrary<unknown>[] = [];
  if (field.kind === "integer") {
    badOfKind.push(
      fc.integer({ max: 0 }),
      fc.double({ min: 0.001, max: 1e6, noNaN: true }).filter((d) => !Number.isInteger(d)),
      fc.constantFrom(2 ** 53, 1e21, 1e300, -1e300),
    );
  }
  if (field.kind === "enum" && field.values?.length) {
    // (An empty list: the allowed strings depend on the platform, so only wrong types are bad.)
    const allowed = new Set(field.values);
    badOfKind.push(
      fc
        .oneof(unicode(), fc.constantFrom("", "AUTO", "Draft", " off", "auto ", "__proto__"))
        .filter((s) => !allowed.has(s)),
    );
  }
  if (field.kind === "datetime") {
    badOfKind.push(
      fc
        .oneof(
          unicode(),
          fc.constantFrom(
            "2025-01-15",
            "2025-01-15T09:30:00",
            "2025-02-30T00:00:00Z",
            "2025-01-15T25:00:00Z",
            "0",
            "now",
          ),
        )
        .filter(
          (s) => !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(s) || Number.isNaN(Date.parse(s)),
        ),
    );
  }
  if (field.kind === "string" && field.minLength) badOfKind.push(fc.constant(""));
  if (field.kind === "string" && field.maxLength) {
    badOfKind.push(
      fc.integer({ min: field.maxLength + 1, max: field.maxLength + 50 }).map((n) => "x".repeat(n)),
    );
  }
  if (field.kind === "boolean") badOfKind.push(fc.constantFrom("true", "false", 0, 1));
  if (field.kind === "array")
    badOfKind.push(
      fc
        .array(fc.oneof(fc.integer(), unicode(4)), { minLength: 1, maxLength: 3 })
        .filter((a) => a.some((x) => typeof x !== "string" || !/^[A-Z]{2}$/.test(x))),
    );
  return badOfKind.length ? fc.oneof(wrongType, ...badOfKind) : wrongType;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Sets a dotted path as an own enumerable property (so `__proto__` is a key, not a prototype). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!next || typeof next !== "object" || Array.isArray(next)) {
      Object.defineProperty(node, part, { value: {}, enumerable: true, writable: true, configurable: true });
    }
    node = node[part] as Record<string, unknown>;
  }
  Object.defineProperty(node, parts.at(-1) as string, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return target;
}

const KNOWN_KEYS = new Set([
  ...STRICT.flatMap((r) => (r.fields ?? []).flatMap((f) => f.path.split("."))),
  ...[
    "creative",
    "tactical",
    "structural",
    "ageMax",
    "genders",
    "bidAmountCents",
    "targetCpaCents",
    "roasFloor",
  ],
]);
const unknownKeyArb = fc
  .oneof(
    unicode(30).filter((s) => s.length > 0),
    fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "hasOwnProperty",
      "valueOf",
      "$where",
      " name",
    ),
  )
  .filter((k) => !KNOWN_KEYS.has(k));

const deepArray = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

const MAX_BODY = 64 * 1024;
const byteLength = (text: string) => new TextEncoder().encode(text).byteLength;
const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;

const RUNS = { numRuns: 40 } as const;
// The properties are CPU-bound (thousands of requests, each between two D1 snapshots): on a
// shared 2-core machine running other test files at once they need more than the default 30 s.
vi.setConfig({ testTimeout: 120_000 });

// ------------------------------------------------------------------------------ coverage

describe("hostile input: coverage", () => {
  it("covers every operation in the OpenAPI document", async () => {
    const res = await send({ method: "GET", path: "/openapi.json" });
    expect(res.status, res.text).toBe(200);
    const paths = (res.body as { paths: Record<string, Record<string, unknown>> }).paths;
    // Operator endpoints (/ops) take the operator token, not a key: test/dispatch/brake.test.ts.
    const documented = Object.entries(paths)
      .filter(([path]) => !path.startsWith("/ops/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect([...ROUTES, ...PUBLIC_OPERATIONS].map((r) => `${r.method} ${r.template}`).sort()).toEqual(
      documented,
    );
  });

  it("answers every route's valid request with the fixture (so the properties exercise real handlers)", async () => {
    const key = await freshKey();
    for (const route of GETS) {
      const res = await hit({ method: "GET", path: fillRoute(route), key });
      expect(res.status, context(res)).toBe(200);
    }
  });
});

// ------------------------------------------------------------------------------ properties

describe("hostile input: bodies", () => {
  it("never breaks on random JSON bodies, on every write route", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
        const body = JSON.stringify(value);
        for (const route of WRITES) {
          const res = await hit({ method: route.method, path: fillRoute(route), key, body });
          if (route.strict && kindOf(value) !== "object" && res.status !== 429) {
            expectError(res, 422, "VALIDATION");
          }
        }
      }),
      RUNS,
    );
    // Every run hits every write route: the time grows with the routes, not with a slowdown.
  }, 120_000);

  it("refuses a wrong type or bad value in any field with 422 naming that field", async () => {
    const key = await freshKey();
    const caseArb = fc
      .constantFrom(...STRICT.flatMap((route) => (route.fields ?? []).map((field) => ({ route, field }))))
      .chain(({ route, field }) => badValue(field).map((value) => ({ route, field, value })));
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ route, field, value }) => {
        const body = setPath(clone((route.body as () => Record<string, unknown>)()), field.path, value);
        const res = await hit({
          method: route.method,
          path: fillRoute(route),
          key,
          body: JSON.stringify(body),
        });
        if (res.status === 429) return;
        expectError(res, 422, "VALIDATION");
        const paths = issuePaths(res);
        expect(
          paths.some(
            (p) => p === field.path || p.startsWith(`${field.path}.`) || field.path.startsWith(`${p}.`),
          ),
          `no issue names ${field.path}: ${context(res)}`,
        ).toBe(true);
      }),
      { ...RUNS, numRuns: 80 },
    );
  });

  it("refuses unknown fields (prototype names included) with 422 naming them", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...STRICT.flatMap((route) =>
            ["", "authority.", "defaults.", "targeting.", "bidStrategy."]
              .filter((prefix) => !prefix || (route.fields ?? []).some((f) => f.path === prefix.slice(0, -1)))
              .map((prefix) => ({ route, prefix })),
          ),
        ),
        unknownKeyArb,
        anyJsonValue,
        async ({ route, prefix }, name, value) => {
          const base = clone((route.body as () => Record<string, unknown>)());
          const parent = prefix.slice(0, -1);
          if (parent === "targeting" || parent === "bidStrategy") {
            base[parent] =
              parent === "targeting" ? { countries: ["US"] } : { type: "LOWEST_COST_WITHOUT_CAP" };
          }
          const body = setPath(base, `${prefix}${name}`, value);
          const res = await hit({
            method: route.method,
            path: fillRoute(route),
            key,
            body: JSON.stringify(body),
          });
          if (res.status === 429) return;
          expectError(res, 422, "VALIDATION");
          expect(issuePaths(res), context(res)).toContain(`${prefix}${name}`);
        },
      ),
      RUNS,
    );
  });

  it("answers huge strings with 413 past 64 KB and never breaks below it", async () => {
    const key = await freshKey();
    const placements = [
      ...STRICT.flatMap((route) =>
        (route.fields ?? [])
          .filter((f) => f.kind === "string")
          .map((field) => ({ route, path: field.path, maxLength: field.maxLength })),
      ),
      ...STRICT.map((route) => ({ route, path: "padding", maxLength: 0 })),
      { route: STRICT[0] as RouteCase, path: "metadata.note", maxLength: undefined },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...placements),
        fc.oneof(fc.integer({ min: 0, max: 70_000 }), fc.integer({ min: 16_000, max: 33_000 })),
        fc.constantFrom("x", "é", "😀", "\u0000", '"', "\\", "\u2028"),
        async ({ route, path, maxLength }, length, char) => {
          const value = char.repeat(length);
          const body = JSON.stringify(
            setPath(clone((route.body as () => Record<string, unknown>)()), path, value),
          );
          const res = await hit({ method: route.method, path: fillRoute(route), key, body });
          if (res.status === 429) return;
          if (byteLength(body) > MAX_BODY) {
            expectError(res, 413, "PAYLOAD_TOO_LARGE");
          } else if (path === "padding" || value.length > (maxLength ?? Number.POSITIVE_INFINITY)) {
            expectError(res, 422, "VALIDATION");
          } else if (path === "metadata.note" && byteLength(JSON.stringify({ note: value })) > 8 * 1024) {
            expectError(res, 422, "VALIDATION");
            expect(issuePaths(res), context(res)).toContain("metadata");
          }
        },
      ),
      { ...RUNS, numRuns: 30 },
    );
  });

  it("round-trips unicode names and metadata verbatim, or refuses them cleanly", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", minLength: 1, maxLength: 128 }),
        fc.dictionary(unicode(12), fc.oneof(unicode(), fc.integer(), fc.boolean()), { maxKeys: 4 }),
        async (name, metadata) => {
          const path = `/v1/projects/${tenant.projectId}/ads/meta/campaigns`;
          const body = JSON.stringify({ ...createBody(), name, metadata });
          const res = await hit({ method: "POST", path, key, body });
          if (res.status === 429) return;
          if (name.length > 128) return;
          expect(res.status, context(res)).toBe(202);
          const id = (res.body as { campaignId: string }).campaignId;
          const read = await hit({ method: "GET", path: `${path}/${id}`, key });
          expect(read.status, context(read)).toBe(200);
          expect((read.body as { name: string }).name, context(read)).toBe(name);
          expect((read.body as { metadata: unknown }).metadata, context(read)).toEqual(metadata);
        },
      ),
      { ...RUNS, numRuns: 30 },
    );
  });

  it("survives deep nesting (arrays and objects up to the size limit) anywhere in a body", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITES),
        fc.constantFrom("whole", "metadata", "field"),
        fc.constantFrom("array", "object"),
        fc.oneof(fc.integer({ min: 100, max: 6_000 }), fc.integer({ min: 6_000, max: 33_000 })),
        async (route, where, shape, depth) => {
          const nested = shape === "array" ? deepArray(depth) : deepObject(depth);
          const base = JSON.stringify(route.body?.() ?? {});
          const body =
            where === "whole"
              ? nested
              : where === "metadata"
                ? `${JSON.stringify({ ...createBody() }).slice(0, -1)},"metadata":{"deep":${nested}}}`
                : `${base.slice(0, -1)}${base === "{}" ? "" : ","}"deep":${nested}}`;
          const target = where === "metadata" ? (STRICT[0] as RouteCase) : route;
          const res = await hit({ method: target.method, path: fillRoute(target), key, body });
          if (res.status === 429) return;
          if (byteLength(body) > MAX_BODY) expectError(res, 413, "PAYLOAD_TOO_LARGE");
          else if (target.strict && where !== "metadata") expectError(res, 422, "VALIDATION");
        },
      ),
      { ...RUNS, numRuns: 30 },
    );
  });

  it.each([
    ["arrays", deepArray(5_000)],
    ["objects", deepObject(5_000)],
  ])("answers a 5000-deep body of %s on every write route without a 5xx", async (_label, body) => {
    const key = await freshKey();
    for (const route of WRITES) {
      const res = await hit({ method: route.method, path: fillRoute(route), key, body });
      if (route.strict) expectError(res, 422, "VALIDATION");
    }
  });

  it("stores and serves metadata nested 4000 deep (within 8 KB) without breaking", async () => {
    const key = await freshKey();
    const path = `/v1/projects/${tenant.projectId}/ads/meta/campaigns`;
    const body = `${JSON.stringify(createBody()).slice(0, -1)},"metadata":{"deep":${deepArray(4_000)}}}`;
    const res = await hit({
      method: "POST",
      path,
      key,
      body,
      headers: { "Idempotency-Key": "deep-metadata" },
    });
    expect(res.status, context(res)).toBe(202);
    const id = (res.body as { campaignId: string }).campaignId;
    const read = await hit({ method: "GET", path: `${path}/${id}`, key });
    expect(read.status, context(read)).toBe(200);
    expect(JSON.stringify((read.body as { metadata: unknown }).metadata)).toBe(
      `{"deep":${deepArray(4_000)}}`,
    );
  });

  it("answers bytes that are not UTF-8 JSON with 400, and never breaks", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITES),
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 2_000 }),
          fc.constantFrom(
            new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), // BOM + {}
            new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), // {"\xc3(":1}
            new Uint8Array([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d]), // UTF-16
            new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), // an encoded lone surrogate
          ),
        ),
        async (route, bytes) => {
          const res = await hit({ method: route.method, path: fillRoute(route), key, body: bytes });
          if (res.status === 429) return;
          let json = true;
          try {
            JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
          } catch {
            json = false;
          }
          if (!json) expectError(res, 400, "VALIDATION");
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });
});

describe("hostile input: content types", () => {
  const TRICKY_TYPES = [
    "application/json",
    "Application/JSON",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
    "application/json;charset",
    "application/json ;charset=utf-8",
    "application/json; charset=utf-8; foo",
    "application/vnd.api+json",
    "application/merge-patch+json",
    "application/x_1+json",
    "application/json5",
    "application/jsonp",
    "text/json",
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "*/*",
    "",
    "json",
    "application/",
  ];

  it("never breaks on any Content-Type, with or without a body", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITES),
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom<string | null>(...TRICKY_TYPES, null) },
          { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }).filter(headerSafe) },
        ),
        fc.constantFrom("valid", "empty", "form"),
        async (route, contentType, bodyKind) => {
          const body =
            bodyKind === "valid"
              ? JSON.stringify(route.body?.() ?? {})
              : bodyKind === "form"
                ? "a=b&c=d"
                : "";
          const res = await hit({ method: route.method, path: fillRoute(route), key, body, contentType });
          if (res.status === 429) return;
          const mediaType =
            asSent(contentType ?? "")
              .split(";")[0]
              ?.trim() ?? "";
          if (body.length > 0 && !JSON_MEDIA.test(mediaType)) {
            expectError(res, 400, "VALIDATION");
            expect(issuePaths(res), context(res)).toContain("Content-Type");
          }
          if (body.length === 0 && route.strict && route.required) {
            expect([400, 422], context(res)).toContain(res.status);
          }
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });
});

describe("hostile input: paths, queries, methods", () => {
  const realPaths = () =>
    new Set([...ROUTES, ...PUBLIC_ROUTES].map((r) => fillRoute(r)).concat(["/v1/whoami", "/healthz"]));
  const decodeSegments = (path: string) =>
    path
      .split("/")
      .map((segment) => {
        try {
          return decodeURIComponent(segment);
        } catch {
          return segment;
        }
      })
      .join("/");

  const hostileIdArb = fc.oneof(
    fc.string({ unit: "binary", maxLength: 60 }),
    fc.string({ unit: "binary-ascii", maxLength: 60 }),
    fc.constantFrom(
      "",
      ".",
      "..",
      "%",
      "%00",
      "%2F",
      "%2e%2e",
      "../../v1/whoami",
      "' OR 1=1 --",
      '"; DROP TABLE campaigns; --',
      "null",
      "undefined",
      "__proto__",
      "constructor",
      "cmp_01jd2v4w3x5y6z7a8b9c0d1e2f",
      "cmp_01JD2V4W3X5Y6Z7A8B9C0D1E2F0",
      "prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
      "key_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
      "x".repeat(5_000),
      "META",
      "meta ",
      "%6Deta",
    ),
    wellFormed("cmp"),
    wellFormed("prj"),
  );

  it("answers random path ids with 404 NOT_FOUND (raw or percent-encoded), never a 5xx", async () => {
    const key = await freshKey();
    const routes = [...ROUTES, ...PUBLIC_ROUTES].filter((r) => slotsOf(r.template).length > 0);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes).chain((route) =>
          fc.record({
            route: fc.constant(route),
            slot: fc.constantFrom(...slotsOf(route.template)),
            value: fc.oneof(hostileIdArb, fc.constantFrom(other.projectId, other.keyIds.partner)),
            encode: fc.boolean(),
          }),
        ),
        async ({ route, slot, value, encode }) => {
          const path = fillRoute(route, { [slot]: encode ? encodeURIComponent(value) : value });
          const body = route.body ? JSON.stringify(route.body()) : undefined;
          const res = await hit({ method: route.method, path, key, body });
          if (res.status === 429) return;
          const effective = decodeSegments(new URL(`https://api.test${path}`).pathname);
          if (realPaths().has(effective) || realPaths().has(effective.replace(/\/$/, ""))) return;
          expectError(res, 404, "NOT_FOUND");
        },
      ),
      { ...RUNS, numRuns: 80 },
    );
  });

  const dateLikeArb = fc
    .tuple(
      fc.integer({ min: 0, max: 99999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.option(fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 0, maxLength: 12 })),
      fc.constantFrom("Z", "z", "", "+00:00", "-23:59", "+24:00", "+0100", "+01", "-00:00", " Z"),
    )
    .map(([y, mo, d, h, mi, s, frac, zone]) => {
      const p = (n: number, w = 2) => String(n).padStart(w, "0");
      return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${frac === null ? "" : `.${frac}`}${zone}`;
    });
  const queryValueArb = fc.oneof(
    unicode(30),
    dateLikeArb,
    fc.constantFrom(
      "",
      "0",
      "-1",
      "201",
      "1e400",
      "0x10",
      "NaN",
      "Infinity",
      "1.5",
      "true",
      "maybe",
      "meta,",
      ",",
      "meta,tiktok,apple,meta",
      "active,paused",
      "eyJ4IjoxfQ",
      "eyJvY2N1cnJlZEF0IjoiIiwiZXZlbnRJZCI6IiJ9",
      "eyJjcmVhdGVkQXQiOiJ4IiwiaWQiOiJ5In0",
      "%%%",
      "x".repeat(3_000),
    ),
    fc.base64String({ maxLength: 200 }),
  );

  it("answers random query strings with 200 or 422 on every GET route", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GETS),
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom(
                "platforms",
                "healthy",
                "status",
                "since",
                "until",
                "cursor",
                "limit",
                "adAccountId",
              ),
              fc.constantFrom("actionType", "eventType", "projectId", "apiKeyId", "__proto__", "limit[]"),
              unicode(10),
            ),
            queryValueArb,
          ),
          { maxLength: 5 },
        ),
        async (route, pairs) => {
          const query = new URLSearchParams(pairs).toString();
          const res = await hit({ method: "GET", path: `${fillRoute(route)}?${query}`, key });
          if (res.status === 429) return;
          expect([200, 422], context(res)).toContain(res.status);
        },
      ),
      { ...RUNS, numRuns: 80 },
    );
  });

  it("answers random dryRun values on every gated write: `true` is a dry run that changes nothing, other values 422", async () => {
    const key = await freshKey();
    const doc = await send({ method: "GET", path: "/openapi.json" });
    type Op = { parameters?: { name: string; in: string }[] };
    const paths = (doc.body as { paths: Record<string, Record<string, Op>> }).paths;
    const gated = WRITES.filter((r) =>
      paths[r.template]?.[r.method.toLowerCase()]?.parameters?.some((p) => p.name === "dryRun"),
    );
    expect(gated.length).toBeGreaterThan(0);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...gated),
        // `false` is the real call, which the body properties above already cover.
        fc.oneof(
          fc.constant("true"),
          queryValueArb.filter((v) => v !== "false"),
        ),
        async (route, value) => {
          const before = await snapshot();
          const body = route.body ? JSON.stringify(route.body()) : undefined;
          const query = new URLSearchParams({ dryRun: value }).toString();
          const res = await hit({ method: route.method, path: `${fillRoute(route)}?${query}`, key, body });
          if (res.status === 429) return;
          if (value !== "true") {
            expect(issuePaths(res), context(res)).toContain("dryRun");
            expectError(res, 422, "VALIDATION");
            return;
          }
          if (res.status !== 200) return; // a refusal, checked by `hit`: the real call's 4xx
          expect(res.body.dryRun, context(res)).toBe(true);
          const after = await snapshot();
          expect(after.fingerprint, `a dry run changed state: ${context(res)}`).toBe(before.fingerprint);
          expect(after.seq, `a dry run was audited: ${context(res)}`).toEqual(before.seq);
        },
      ),
      RUNS,
    );
  });

  it("answers unregistered methods with 404 in the envelope, never a 5xx", async () => {
    const key = await freshKey();
    const registered = new Set([...ROUTES, ...PUBLIC_OPERATIONS].map((r) => `${r.method} ${r.template}`));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES, ...PUBLIC_ROUTES),
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "get", "PoSt"),
        async (route, method) => {
          const body = method === "GET" || method === "HEAD" || method === "get" ? undefined : "{}";
          // A registered method gets that operation's own ids (a DELETE has its own victim).
          const own = ROUTES.find((r) => r.method === method.toUpperCase() && r.template === route.template);
          const res = await hit({ method, path: fillRoute(own ?? route), key, body });
          if (res.status === 429) return;
          const normalized = method.toUpperCase();
          if (
            !registered.has(`${normalized} ${route.template}`) &&
            normalized !== "HEAD" &&
            route.template !== "/healthz" &&
            route.template !== "/openapi.json"
          ) {
            expectError(res, 404, "NOT_FOUND");
          }
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });
});

describe("hostile input: headers", () => {
  const headerValueArb = fc
    .oneof(
      fc.string({ unit: "binary-ascii", maxLength: 80 }),
      fc.string({
        unit: fc.integer({ min: 0x01, max: 0xff }).map((c) => String.fromCharCode(c)),
        maxLength: 80,
      }),
      fc.string({
        unit: fc.constantFrom("\t", "\u0001", "\u0007", "\u001b", "\u007f", " ", "a", "\u00ff"),
        maxLength: 20,
      }),
      fc.integer({ min: 250, max: 70_000 }).map((n) => "k".repeat(n)),
      fc.constantFrom("*", '"a1"', 'W/"a1"', '"l1"', "*, *", " , ", ",,,", '"a', "\t*\t"),
    )
    .filter(headerSafe);

  it("refuses an Idempotency-Key that is not 1–255 printable ASCII with 422, on every write route", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITES), headerValueArb, async (route, idempotencyKey) => {
        // A body the handler refuses (unknown project), so a valid key changes nothing either.
        const path = fillRoute(route, {
          projectId: "prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
          keyId: "key_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
          endpointId: "whe_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
          deliveryId: "whd_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
        });
        const body = JSON.stringify(route.refusedBody?.() ?? route.body?.() ?? {});
        const res = await hit({
          method: route.method,
          path,
          key,
          body,
          headers: { "Idempotency-Key": idempotencyKey },
        });
        if (res.status === 429) return;
        if (!/^[\x20-\x7E]{1,255}$/.test(asSent(idempotencyKey))) {
          expectError(res, 422, "VALIDATION");
          expect(issuePaths(res), context(res)).toContain("Idempotency-Key");
        } else {
          // Minting a key names no id to make unknown: a valid request mints one (409 when the
          // generator repeats a key already used: a mint is never replayed).
          const expected = route.template === "/v1/api-keys" ? [201, 409] : [404, 409];
          expect(expected, context(res)).toContain(res.status);
        }
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it("answers If-Match garbage with 412 (or 422 past 256 chars), never a 5xx", async () => {
    const key = await freshKey();
    // Gated writes take no If-Match: the campaign object orders them.
    const unconditional = [
      `${CAMPAIGN}/budget`,
      `${CAMPAIGN}/schedule`,
      `${CAMPAIGN}/bid-strategy`,
      `${ADSET}/targeting`,
      `${ADSET}/budget`,
      `${ADSET}/schedule`,
      KEYWORDS,
    ];
    const patches = WRITES.filter((r) => r.method === "PATCH" && !unconditional.includes(r.template));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...patches), headerValueArb, async (route, ifMatch) => {
        const body = JSON.stringify(route.body?.() ?? {});
        const res = await hit({
          method: route.method,
          path: fillRoute(route),
          key,
          body,
          headers: { "If-Match": ifMatch },
        });
        if (res.status === 429) return;
        const sent = asSent(ifMatch);
        const tokens = sent.split(",").map((t) => t.trim().replace(/^W\//, ""));
        const etag = tokens.some((t) => t === "*" || /^"[al]\d+(\.l\d+)?"$/.test(t));
        if (sent.length > 256) expectError(res, 422, "VALIDATION");
        else if (sent.length > 0 && !etag) expectError(res, 412, "PRECONDITION_FAILED");
      }),
      { ...RUNS, numRuns: 50 },
    );
  });

  it("answers If-None-Match garbage on a job with 200 or 304", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(headerValueArb, async (ifNoneMatch) => {
        const res = await hit({
          method: "GET",
          path: `/v1/jobs/${jobId}`,
          key,
          headers: { "If-None-Match": ifNoneMatch },
        });
        if (res.status === 429) return;
        expect([200, 304, 422], context(res)).toContain(res.status);
      }),
      RUNS,
    );
  });

  it("answers Authorization garbage with 401 on every route, and never echoes it", async () => {
    const authArb = fc
      .oneof(
        headerValueArb,
        headerValueArb.map((v) => `Bearer ${v}`),
        fc.constantFrom(
          "Bearer",
          "Bearer ",
          "bearer lp_test_x",
          "Basic dXNlcjpwYXNz",
          `Bearer lp_live_key_01JD2V4W3X5Y6Z7A8B9C0D1E2F_${"0".repeat(64)}`,
        ),
        // The real key id with a forged secret: 401, audited as auth.failed.
        fc
          .string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 })
          .map((secret) => `Bearer lp_test_${tenant.keyIds.partner}_${secret}`),
      )
      .filter((v) => headerSafe(v) && asSent(v) !== `Bearer ${tenant.keys.partner}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), authArb, async (route, authorization) => {
        const body = route.body ? JSON.stringify(route.body()) : route.method === "GET" ? undefined : "{}";
        const res = await hit({
          method: route.method,
          path: fillRoute(route),
          body,
          headers: { Authorization: authorization },
        });
        expectError(res, 401, "UNAUTHENTICATED");
        if (asSent(authorization).length >= 12)
          expect(res.text, context(res)).not.toContain(asSent(authorization));
      }),
      { ...RUNS, numRuns: 60 },
    );
  });

  it("never lets a client choose its X-Request-Id", async () => {
    const key = await freshKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES, ...PUBLIC_ROUTES),
        headerValueArb,
        async (route, requestId) => {
          const body = route.body ? JSON.stringify(route.body()) : route.method === "GET" ? undefined : "{}";
          const res = await hit({
            method: route.method,
            path: fillRoute(route),
            key,
            body,
            headers: { "X-Request-Id": requestId },
          });
          expect(res.headers.get("X-Request-Id"), context(res)).not.toBe(asSent(requestId));
        },
      ),
      RUNS,
    );
  });
});

// ------------------------------------------------------------------------------ minimal repros

/**
 * Deterministic reproductions of what the properties found (or must keep finding fixed):
 * each is the smallest request that showed the problem.
 */
describe("hostile input: minimal reproductions", () => {
  const strictPaths = () => STRICT.map((route) => ({ route, path: fillRoute(route) }));

  it("answers a create-campaign with no body and no Content-Type with 4xx VALIDATION, not 500", async () => {
    const key = await freshKey();
    const res = await hit({
      method: "POST",
      path: fill(STRICT[0]?.template ?? ""),
      key,
      body: "",
      contentType: null,
    });
    expect([400, 422], context(res)).toContain(res.status);
    expectError(res, res.status, "VALIDATION");
  });

  it.each(["text/plain", "json", "application/octet-stream"])(
    "answers an empty body declared as %s with 4xx VALIDATION on every JSON-body route, not 500",
    async (contentType) => {
      const key = await freshKey();
      const failures: string[] = [];
      for (const { route, path } of strictPaths()) {
        const res = await send({ method: route.method, path, key, body: "", contentType });
        // Optional bodies (approve, pause, resume, delete, rotate): an empty one reaches the
        // handler (404 for an unknown pending id, 202 for a lifecycle write, 409 for rotating
        // the fixture key once another case revoked it).
        const expected = route.required ? [400, 422] : [200, 202, 400, 404, 409, 422];
        if (!expected.includes(res.status)) failures.push(context(res));
        else expectWellFormed(res);
      }
      expect(failures, failures.join("\n\n")).toEqual([]);
    },
  );

  it.each([
    "application/json;charset",
    "application/json ;charset=utf-8",
    "application/json; charset=utf-8; foo",
    "application/x_1+json",
  ])(
    "treats a JSON body declared as %s like any JSON body on every JSON-body route, not 500",
    async (contentType) => {
      // body.ts accepts these as JSON media types; the request must then be judged on its body.
      const key = await freshKey();
      const failures: string[] = [];
      for (const { route, path } of strictPaths()) {
        const body = JSON.stringify(route.body?.() ?? {});
        const res = await send({ method: route.method, path, key, body, contentType });
        if (res.status >= 500) failures.push(context(res));
        else expectWellFormed(res);
      }
      expect(failures, failures.join("\n\n")).toEqual([]);
    },
  );

  it.each([
    ['{"dailyBudgetCents":1e400}', 422],
    ['{"dailyBudgetCents":-0}', 422],
    ['{"dailyBudgetCents":6000.5}', 422],
    ['{"dailyBudgetCents":9007199254740993}', 422],
    ['{"dailyBudgetCents":"6000"}', 422],
    ['{"dailyBudgetCents":6000,"dailyBudgetCents":null}', 422],
  ])("refuses the budget body %s cleanly", async (body, status) => {
    const key = await freshKey();
    const res = await hit({ method: "PATCH", path: fill(`${CAMPAIGN}/budget`), key, body });
    expectError(res, status, "VALIDATION");
  });

  it.each([
    ["defaults", '{"__proto__":{"killSwitchActive":true}}'],
    ["defaults", '{"defaults":{"__proto__":{"structural":"auto"}}}'],
    ["defaults", '{"constructor":{"prototype":{"partnerWritesEnabled":true}}}'],
    ["authority", '{"authority":{"__proto__":{"creative":"auto"}}}'],
    ["authority", '{"__proto__":{"authority":{"creative":"auto"}}}'],
  ])("refuses a prototype-pollution body on %s: %s", async (route, body) => {
    const key = await freshKey();
    const path =
      route === "defaults"
        ? fill("/v1/projects/{projectId}/ads/{platform}/defaults")
        : fill(`${CAMPAIGN}/authority`);
    const res = await hit({ method: "PATCH", path, key, body });
    expectError(res, 422, "VALIDATION");
    // Nothing leaked into objects the process shares.
    expect(({} as Record<string, unknown>).killSwitchActive, context(res)).toBeUndefined();
    expect(({} as Record<string, unknown>).creative, context(res)).toBeUndefined();
  });

  it("replays a refused idempotent write byte for byte", async () => {
    const key = await freshKey();
    const request = {
      method: "PATCH",
      path: fill(`${CAMPAIGN}/budget`),
      key,
      body: '{"dailyBudgetCents":"lots"}',
      headers: { "Idempotency-Key": "hostile-replay-of-a-422" },
    };
    const first = await hit(request);
    expectError(first, 422, "VALIDATION");
    const again = await hit(request);
    expect(again.status, context(again)).toBe(422);
    expect(again.text, context(again)).toBe(first.text);
    expect(again.headers.get("Idempotent-Replayed"), context(again)).toBe("true");
  });
});
