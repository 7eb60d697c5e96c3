import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ApiResponse, api, expectError } from "../helpers/http";
import { createBody, createCampaign } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { captureLogs, type LogCapture } from "./capture";

let tenant: TestTenant;
let logs: LogCapture;
beforeAll(async () => {
  tenant = await createTenant({
    name: "Logged",
    policies: { tiktok: { structural: "draft" }, apple: { structural: "off" } },
  });
});
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

const CREATE_ROUTE = "/v1/projects/:projectId/ads/:platform/campaigns";
const lineOf = (res: ApiResponse) => logs.requestLine(res.headers.get("X-Request-Id"));
const create = (platform: "meta" | "tiktok" | "apple", body: Record<string, unknown> = {}) =>
  api("POST", `/v1/projects/${tenant.projectId}/ads/${platform}/campaigns`, {
    key: tenant.keys.partner,
    body: createBody(tenant, platform, body),
  });

describe("one log line per request", () => {
  it("logs a successful read with the caller, the route template and the endpoint class", async () => {
    const res = await api("GET", "/v1/whoami", { key: tenant.keys.partner });
    expect(res.status, res.text).toBe(200);
    expect(lineOf(res)).toEqual({
      level: "info",
      msg: "request",
      requestId: res.headers.get("X-Request-Id"),
      route: "/v1/whoami",
      method: "GET",
      status: 200,
      durationMs: expect.any(Number),
      organizationId: tenant.organizationId,
      apiKeyId: tenant.keyIds.partner,
      endpointClass: "read",
      errorCode: null,
      decision: null,
      verdictId: null,
    });
  });

  it("logs the template, not the raw URL, and an accepted write's verdict", async () => {
    const res = await create("meta");
    expect(res.status, res.text).toBe(202);
    const line = lineOf(res);
    expect(line).toMatchObject({
      route: CREATE_ROUTE,
      method: "POST",
      status: 202,
      endpointClass: "write",
      errorCode: null,
      decision: "allow",
      verdictId: res.body.verdictId,
    });
    expect(JSON.stringify(line)).not.toContain(tenant.projectId);

    const { campaignId } = await createCampaign(tenant, "meta");
    const patch = await api(
      "PATCH",
      `/v1/projects/${tenant.projectId}/ads/meta/campaigns/${campaignId}/authority`,
      { key: tenant.keys.customer, body: { authority: { tactical: "draft" } } },
    );
    expect(patch.status, patch.text).toBe(200);
    expect(lineOf(patch)).toMatchObject({
      route: "/v1/projects/:projectId/ads/:platform/campaigns/:campaignId/authority",
      apiKeyId: tenant.keyIds.customer,
      decision: "allow",
      verdictId: patch.body.verdictId,
    });

    const budget = await api(
      "PATCH",
      `/v1/projects/${tenant.projectId}/ads/meta/campaigns/${campaignId}/budget`,
      { key: tenant.keys.partner, body: { dailyBudgetCents: 7000 } },
    );
    expect(budget.status, budget.text).toBe(202);
    expect(lineOf(budget)).toMatchObject({
      status: 202,
      decision: "queue",
      verdictId: budget.body.verdictId,
    });
  });

  it("logs a queued write as decision queue", async () => {
    const res = await create("tiktok", { campaignManagementMode: "draft" });
    expect(res.status, res.text).toBe(202);
    expect(res.body.pendingId).toBeDefined();
    expect(lineOf(res)).toMatchObject({ status: 202, decision: "queue", verdictId: res.body.verdictId });
  });

  it("marks an idempotent replay, whose verdict stays on the first request's line", async () => {
    const send = () =>
      api("POST", `/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
        key: tenant.keys.partner,
        body: createBody(tenant, "meta"),
        headers: { "Idempotency-Key": "replay-log-check" },
      });
    const first = await send();
    const replay = await send();
    expect([first.status, replay.status], replay.text).toEqual([202, 202]);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(lineOf(first)).toMatchObject({ decision: "allow", verdictId: first.body.verdictId });
    expect(lineOf(first).idempotentReplay).toBeUndefined();
    expect(lineOf(replay)).toMatchObject({
      status: 202,
      idempotentReplay: true,
      decision: null,
      verdictId: null,
    });
  });

  it("logs a denial with its error code, decision and verdictId", async () => {
    const res = await create("apple");
    const details = expectError(res, 403, "AUTHORITY_DENIED");
    expect(lineOf(res)).toMatchObject({
      route: CREATE_ROUTE,
      status: 403,
      organizationId: tenant.organizationId,
      apiKeyId: tenant.keyIds.partner,
      errorCode: "AUTHORITY_DENIED",
      decision: "deny",
      verdictId: details.verdictId,
    });
  });

  it("logs the error code of a 4xx without a verdict", async () => {
    const invalid = await api("POST", `/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
      key: tenant.keys.partner,
      body: { name: "" },
    });
    expectError(invalid, 422, "VALIDATION");
    expect(lineOf(invalid)).toMatchObject({
      route: CREATE_ROUTE,
      status: 422,
      errorCode: "VALIDATION",
      endpointClass: "write",
      decision: null,
      verdictId: null,
    });

    const scope = await create("meta").then(() =>
      api("POST", `/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
        key: tenant.keys.readOnly,
        body: createBody(tenant, "meta"),
      }),
    );
    expectError(scope, 403, "FORBIDDEN_SCOPE");
    expect(lineOf(scope)).toMatchObject({ status: 403, errorCode: "FORBIDDEN_SCOPE", decision: null });

    const missingJob = await api("GET", "/v1/jobs/job_01JD9999999999999999999999", {
      key: tenant.keys.partner,
    });
    expectError(missingJob, 404, "NOT_FOUND");
    expect(lineOf(missingJob)).toMatchObject({
      route: "/v1/jobs/:jobId",
      status: 404,
      errorCode: "NOT_FOUND",
    });

    const unknown = await api("GET", "/v1/no-such-route", { key: tenant.keys.partner });
    expectError(unknown, 404, "NOT_FOUND");
    expect(lineOf(unknown)).toMatchObject({ route: null, status: 404, errorCode: "NOT_FOUND" });
  });

  it("logs a 401 for a wrong key without any key material", async () => {
    const forgedSecret = "7".repeat(64);
    const forged = tenant.keys.partner.replace(/_[0-9a-f]{64}$/, `_${forgedSecret}`);
    const res = await api("GET", "/v1/whoami", { key: forged });
    expectError(res, 401, "UNAUTHENTICATED");
    expect(lineOf(res)).toMatchObject({
      route: "/v1/whoami",
      status: 401,
      errorCode: "UNAUTHENTICATED",
      organizationId: null,
      apiKeyId: null,
      endpointClass: null,
    });
    const printed = logs.raw().join("\n");
    expect(printed).not.toContain(forgedSecret);
    expect(printed).not.toContain(forged);
    expect(printed).not.toContain("Bearer");
  });

  it("prints no secret, token, key or body for any request", async () => {
    const marker = "Body-Marker-4f1c";
    const idempotencyKey = "idem-marker-9d2e";
    const responses = [
      await api("GET", "/v1/whoami", { key: tenant.keys.customer }),
      await api("POST", `/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
        key: tenant.keys.partner,
        body: createBody(tenant, "meta", { name: marker, metadata: { note: marker } }),
        headers: { "Idempotency-Key": idempotencyKey },
      }),
      await api("POST", `/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
        key: tenant.keys.partner,
        rawBody: `{"name": "${marker}"`,
        headers: { "Content-Type": "application/json" },
      }),
      await api("GET", "/healthz"),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 202, 400, 200]);
    for (const res of responses) lineOf(res);
    const printed = logs.raw().join("\n");
    for (const key of Object.values(tenant.keys)) {
      expect(printed).not.toContain(key);
      expect(printed).not.toContain(key.slice(-64));
    }
    for (const forbidden of [
      marker,
      idempotencyKey,
      "Bearer",
      "authorization",
      "META_ACCESS_TOKEN",
      "test-meta-token",
    ]) {
      expect(printed.toLowerCase()).not.toContain(forbidden.toLowerCase());
    }
  });
});
