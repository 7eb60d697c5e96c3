/**
 * Per-key rate limits through the real Worker (SPEC §5): tiers, endpoint classes, the
 * X-RateLimit-* headers on success and on errors, 429 RATE_LIMITED with Retry-After, and
 * exact counting under concurrency (one key guard object per key serializes admissions).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";

type Tier = "standard" | "pilot" | "partner";
type EndpointClass = "read" | "write" | "long_running";

const LIMITS: Record<Tier, Record<EndpointClass, number>> = {
  standard: { read: 120, write: 60, long_running: 20 },
  pilot: { read: 1200, write: 600, long_running: 60 },
  partner: { read: 6000, write: 3000, long_running: 300 },
};

let tenant: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  tenant = await createTenant({ name: "Rate limited" });
  other = await createTenant({ name: "Other" });
});

const describeRes = (res: ApiResponse) =>
  `${res.status} ${res.text} [limit=${res.headers.get("X-RateLimit-Limit")} remaining=${res.headers.get("X-RateLimit-Remaining")} reset=${res.headers.get("X-RateLimit-Reset")} class=${res.headers.get("X-RateLimit-Endpoint-Class")}]`;

/** Asserts the four rate-limit headers; returns the remaining count. */
function expectRateHeaders(res: ApiResponse, endpointClass: EndpointClass, limit: number): number {
  const message = describeRes(res);
  expect(res.headers.get("X-RateLimit-Endpoint-Class"), message).toBe(endpointClass);
  expect(res.headers.get("X-RateLimit-Limit"), message).toBe(String(limit));
  const remaining = res.headers.get("X-RateLimit-Remaining") ?? "";
  expect(remaining, message).toMatch(/^\d+$/);
  expect(Number(remaining), message).toBeLessThan(limit);
  const reset = res.headers.get("X-RateLimit-Reset") ?? "";
  expect(reset, message).toMatch(/^\d+$/);
  // Unix seconds at which the current window ends: within the next minute.
  const nowSeconds = Date.now() / 1000;
  expect(Number(reset), message).toBeGreaterThanOrEqual(Math.floor(nowSeconds));
  expect(Number(reset), message).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 61);
  return Number(remaining);
}

/** Expects 429 RATE_LIMITED in the envelope with a usable Retry-After; returns it in seconds. */
function expectRateLimited(res: ApiResponse, endpointClass: EndpointClass, limit: number): number {
  const details = expectError(res, 429, "RATE_LIMITED");
  const message = describeRes(res);
  expect(expectRateHeaders(res, endpointClass, limit), message).toBe(0);
  const retryAfter = res.headers.get("Retry-After") ?? "";
  expect(retryAfter, message).toMatch(/^\d+$/);
  expect(Number(retryAfter), message).toBeGreaterThanOrEqual(1);
  // At most two windows: to the end of this one, then until its weight leaves room for one.
  expect(Number(retryAfter), message).toBeLessThanOrEqual(120);
  expect(details, message).toEqual({ endpointClass, limit, retryAfterSeconds: Number(retryAfter) });
  return Number(retryAfter);
}

/**
 * Windows are aligned to the minute (see key-guard.ts). A burst that straddles a minute
 * boundary is legitimately judged by the sliding weight, so exact counts are asserted only
 * for bursts that start with at least `needMs` left in the current minute.
 */
async function awayFromMinuteEdge(needMs = 8_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

const standardKey = () => tenant.addKey({ rateLimitTier: "standard" });
const whoami = (key: string) => api("GET", "/v1/whoami", { key });
/** A write that always fails validation (PATCH defaults needs at least one field). */
const invalidWrite = (key: string) =>
  api("PATCH", `/v1/projects/${tenant.projectId}/ads/meta/defaults`, { key, body: {} });

async function countRows(table: "campaigns" | "jobs" | "pending_actions" | "audit_events"): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE organization_id = ?`)
    .bind(tenant.organizationId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("rate limits: a standard key on the read class", () => {
  it("admits exactly 120 reads a minute, counting down, then answers 429 RATE_LIMITED", async () => {
    const { key } = await standardKey();
    await awayFromMinuteEdge();
    for (let i = 0; i < 120; i++) {
      const res = await whoami(key);
      expect(res.status, `request ${i + 1}: ${describeRes(res)}`).toBe(200);
      expect(expectRateHeaders(res, "read", 120), `request ${i + 1}`).toBe(119 - i);
    }
    const refused = await whoami(key);
    expectRateLimited(refused, "read", 120);
    // Refusals are not admissions: still refused, still at zero.
    expectRateLimited(await whoami(key), "read", 120);
  });

  it("holds exactly under 150 concurrent requests: 120 admitted, 30 refused", async () => {
    const { key } = await standardKey();
    await awayFromMinuteEdge();
    const answers = await Promise.all(Array.from({ length: 150 }, () => whoami(key)));
    const admitted = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status !== 200);
    const summary = answers.map((r) => r.status).join(",");
    expect(admitted.length, summary).toBe(120);
    expect(refused.length, summary).toBe(30);
    for (const res of refused) expectRateLimited(res, "read", 120);
    // Each admission saw its own count: the remaining values are exactly 119 … 0.
    const remaining = admitted.map((r) => expectRateHeaders(r, "read", 120)).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expectRateLimited(await whoami(key), "read", 120);
  });

  it("gives two keys of the same organization independent limits", async () => {
    const a = await standardKey();
    const b = await standardKey();
    await awayFromMinuteEdge();
    await Promise.all(Array.from({ length: 120 }, () => whoami(a.key)));
    expectRateLimited(await whoami(a.key), "read", 120);
    const res = await whoami(b.key);
    expect(res.status, describeRes(res)).toBe(200);
    expect(expectRateHeaders(res, "read", 120)).toBe(119);
    expectRateLimited(await whoami(a.key), "read", 120);
  });
});

describe("rate limits: endpoint classes are counted separately", () => {
  it("lets a key over its read limit still write, and counts rejected writes against the write class", async () => {
    const { key } = await standardKey();
    const victim = await tenant.addKey();
    await awayFromMinuteEdge();
    await Promise.all(Array.from({ length: 120 }, () => whoami(key)));
    expectRateLimited(await whoami(key), "read", 120);

    // A write that fails validation is still a request of this key on the write class.
    const first = await invalidWrite(key);
    expectError(first, 422, "VALIDATION");
    expect(expectRateHeaders(first, "write", 60)).toBe(59);
    const second = await invalidWrite(key);
    expectError(second, 422, "VALIDATION");
    expect(expectRateHeaders(second, "write", 60)).toBe(58);

    // A real write goes through while reads are still refused.
    const kill = await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key });
    expect(kill.status, describeRes(kill)).toBe(200);
    expect(expectRateHeaders(kill, "write", 60)).toBe(57);
    expectRateLimited(await whoami(key), "read", 120);
  });

  it("lets a key over its write limit still read, and a refused write changes nothing", async () => {
    const { key } = await standardKey();
    await awayFromMinuteEdge();
    const writes = await Promise.all(Array.from({ length: 60 }, () => invalidWrite(key)));
    for (const res of writes) expectError(res, 422, "VALIDATION");
    const before = await Promise.all([
      countRows("campaigns"),
      countRows("jobs"),
      countRows("pending_actions"),
      countRows("audit_events"),
    ]);
    // A perfectly valid create is refused before it does anything.
    const create = await api("POST", `/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
      key,
      body: {
        adAccountId: tenant.adAccounts.meta,
        name: "over the limit",
        outcome: "conversions",
        dailyBudgetCents: 5000,
        campaignManagementMode: "autopilot",
        creativeMode: "autopilot",
      },
    });
    expectRateLimited(create, "write", 60);
    const after = await Promise.all([
      countRows("campaigns"),
      countRows("jobs"),
      countRows("pending_actions"),
      countRows("audit_events"),
    ]);
    expect(after, create.text).toEqual(before);

    const read = await whoami(key);
    expect(read.status, describeRes(read)).toBe(200);
    expect(expectRateHeaders(read, "read", 120)).toBe(119);
  });

  it("limits the long_running class (audit verify) at 20 a minute, apart from reads", async () => {
    const { key } = await standardKey();
    await awayFromMinuteEdge();
    for (let i = 0; i < 20; i++) {
      const res = await api("GET", "/v1/audit-log/verify", { key });
      expect(res.status, describeRes(res)).toBe(200);
      expect(expectRateHeaders(res, "long_running", 20)).toBe(19 - i);
    }
    expectRateLimited(await api("GET", "/v1/audit-log/verify", { key }), "long_running", 20);
    const read = await api("GET", "/v1/audit-log", { key });
    expect(read.status, describeRes(read)).toBe(200);
    expect(expectRateHeaders(read, "read", 120)).toBe(119);
  });

  it.each([
    ["standard", "read", "GET", "/v1/whoami"],
    ["standard", "write", "PATCH", "defaults"],
    ["standard", "long_running", "GET", "/v1/audit-log/verify"],
    ["pilot", "read", "GET", "/v1/whoami"],
    ["pilot", "write", "PATCH", "defaults"],
    ["pilot", "long_running", "GET", "/v1/audit-log/verify"],
    ["partner", "read", "GET", "/v1/whoami"],
    ["partner", "write", "PATCH", "defaults"],
    ["partner", "long_running", "GET", "/v1/audit-log/verify"],
  ] as const)("announces the %s tier's %s limit", async (tier, endpointClass, method, path) => {
    const { key } = await tenant.addKey({ rateLimitTier: tier });
    const res =
      path === "defaults"
        ? await api(method, `/v1/projects/${tenant.projectId}/ads/meta/defaults`, { key, body: {} })
        : await api(method, path, { key });
    expect(res.status, describeRes(res)).toBeLessThan(500);
    const limit = LIMITS[tier][endpointClass];
    expect(expectRateHeaders(res, endpointClass, limit)).toBe(limit - 1);
  });
});

describe("rate-limit headers on every authenticated response", () => {
  it.each([
    ["200 whoami", "GET", (): string => "/v1/whoami", {}, 200, "read"],
    [
      "200 list campaigns",
      "GET",
      (): string => `/v1/projects/${tenant.projectId}/ads/campaigns`,
      {},
      200,
      "read",
    ],
    [
      "404 another organization's project",
      "GET",
      (): string => `/v1/projects/${other.projectId}/ads/campaigns`,
      {},
      404,
      "read",
    ],
    [
      "404 malformed campaign id",
      "GET",
      (): string => `/v1/projects/${tenant.projectId}/ads/meta/campaigns/not-an-id`,
      {},
      404,
      "read",
    ],
    [
      "404 unknown platform",
      "GET",
      (): string => `/v1/projects/${tenant.projectId}/ads/myspace/defaults`,
      {},
      404,
      "read",
    ],
    ["404 unknown job", "GET", (): string => "/v1/jobs/job_01JD2V4W3X5Y6Z7A8B9C0D1E2F", {}, 404, "read"],
    [
      "422 query validation",
      "GET",
      (): string => `/v1/projects/${tenant.projectId}/ads/ad-accounts?healthy=maybe`,
      {},
      422,
      "read",
    ],
    [
      "422 body validation",
      "PATCH",
      (): string => `/v1/projects/${tenant.projectId}/ads/meta/defaults`,
      { body: { defaults: { creative: "sometimes" } } },
      422,
      "write",
    ],
    [
      "422 Idempotency-Key validation",
      "PATCH",
      (): string => `/v1/projects/${tenant.projectId}/ads/meta/defaults`,
      { body: { defaults: { creative: "auto" } }, headers: { "Idempotency-Key": "ключ" } },
      422,
      "write",
    ],
    [
      "403 AUTHORITY_DENIED (a partner tripping the kill switch)",
      "PATCH",
      (): string => `/v1/projects/${tenant.projectId}/ads/meta/defaults`,
      { body: { killSwitchActive: true } },
      403,
      "write",
    ],
    [
      "412 stale If-Match",
      "PATCH",
      (): string => `/v1/projects/${tenant.projectId}/ads/meta/defaults`,
      { body: { defaults: { creative: "auto" } }, headers: { "If-Match": '"l999999"' } },
      412,
      "write",
    ],
    [
      "404 killing another organization's key",
      "POST",
      (): string => `/v1/api-keys/${other.keyIds.partner}/kill`,
      {},
      404,
      "write",
    ],
    ["200 audit verify", "GET", (): string => "/v1/audit-log/verify", {}, 200, "long_running"],
  ] as const)("%s", async (_label, method, path, options, status, endpointClass) => {
    const { key } = await tenant.addKey();
    const res = await api(method, path(), { key, ...options });
    expect(res.status, describeRes(res)).toBe(status);
    expect(expectRateHeaders(res, endpointClass, LIMITS.partner[endpointClass])).toBe(
      LIMITS.partner[endpointClass] - 1,
    );
  });

  it("403 FORBIDDEN_SCOPE", async () => {
    const res = await api("PATCH", `/v1/projects/${tenant.projectId}/ads/meta/defaults`, {
      key: tenant.keys.readOnly,
      body: { defaults: { creative: "off" } },
    });
    expectError(res, 403, "FORBIDDEN_SCOPE");
    expectRateHeaders(res, "write", LIMITS.partner.write);
  });

  it("409 IDEMPOTENCY_CONFLICT", async () => {
    const { key } = await tenant.addKey();
    const path = `/v1/projects/${tenant.projectId}/ads/meta/defaults`;
    const headers = { "Idempotency-Key": "rate-limit-headers-conflict" };
    await api("PATCH", path, { key, headers, body: { defaults: { creative: "sometimes" } } });
    const res = await api("PATCH", path, { key, headers, body: { defaults: { creative: "never" } } });
    expectError(res, 409, "IDEMPOTENCY_CONFLICT");
    expect(expectRateHeaders(res, "write", LIMITS.partner.write)).toBe(LIMITS.partner.write - 2);
  });

  it.each([
    ["400 body that is not JSON", "{not json", "application/json", 400, "VALIDATION"],
    ["400 non-JSON content type", "a=b", "application/x-www-form-urlencoded", 400, "VALIDATION"],
    [
      "413 body over 64 KB",
      JSON.stringify({ pad: "x".repeat(70 * 1024) }),
      "application/json",
      413,
      "PAYLOAD_TOO_LARGE",
    ],
  ] as const)(
    "%s on a known write route, counted against the write class",
    async (_label, rawBody, contentType, status, code) => {
      // SPEC §5: every response carries the X-RateLimit-* headers, and limits are per key and
      // endpoint class — a malformed body is still a request of this key on a write route.
      const { key } = await tenant.addKey();
      const res = await api("PATCH", `/v1/projects/${tenant.projectId}/ads/meta/defaults`, {
        key,
        rawBody,
        headers: { "Content-Type": contentType },
      });
      expectError(res, status, code);
      expectRateHeaders(res, "write", LIMITS.partner.write);
      // …and it was counted: the next write of this key sees one fewer remaining.
      const next = await invalidWrite(key);
      expect(expectRateHeaders(next, "write", LIMITS.partner.write)).toBe(LIMITS.partner.write - 2);
    },
  );
});
