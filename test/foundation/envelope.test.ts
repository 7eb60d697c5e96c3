import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
});

describe("error envelope", () => {
  it("answers unknown routes with 404 in the envelope", async () => {
    expectError(await api("GET", "/nowhere"), 404, "NOT_FOUND");
    expectError(await api("GET", "/v1/nowhere", { key: tenant.keys.partner }), 404, "NOT_FOUND");
  });

  it("answers a body that is not JSON with 400 VALIDATION", async () => {
    const res = await api("POST", `/v1/api-keys/${tenant.keyIds.readOnly}/kill`, {
      key: tenant.keys.partner,
      rawBody: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    expectError(res, 400, "VALIDATION");
  });

  it("answers a non-JSON content type with 400 VALIDATION", async () => {
    const res = await api("POST", `/v1/api-keys/${tenant.keyIds.readOnly}/kill`, {
      key: tenant.keys.partner,
      rawBody: "a=b",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const details = expectError(res, 400, "VALIDATION");
    expect(JSON.stringify(details)).toContain("Content-Type");
  });

  it("answers a body over 64 KB with 413, with or without Content-Length", async () => {
    const big = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    const res = await api("POST", `/v1/api-keys/${tenant.keyIds.readOnly}/kill`, {
      key: tenant.keys.partner,
      rawBody: big,
      headers: { "Content-Type": "application/json" },
    });
    expectError(res, 413, "PAYLOAD_TOO_LARGE");
  });

  it("lists every failing query field in one 422", async () => {
    const res = await api(
      "GET",
      `/v1/projects/${tenant.projectId}/ads/ad-accounts?platforms=foo&healthy=maybe`,
      {
        key: tenant.keys.partner,
      },
    );
    const details = expectError(res, 422, "VALIDATION") as { issues: { path: string }[] };
    expect(details.issues.map((i) => i.path).sort()).toEqual(["healthy", "platforms"]);
  });

  it("never leaks internals", async () => {
    const res = await api("GET", `/v1/projects/${tenant.projectId}'; DROP TABLE x;--/ads/ad-accounts`, {
      key: tenant.keys.partner,
    });
    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/sqlite|SQL|stack|at .*\.ts/i);
  });
});

describe("ad accounts", () => {
  it("lists the project's accounts, filtered by platform and health", async () => {
    const res = await api<{ items: { platform: string; tokenStatus: string }[]; nextCursor: string | null }>(
      "GET",
      `/v1/projects/${tenant.projectId}/ads/ad-accounts?platforms=meta,tiktok&healthy=true`,
      { key: tenant.keys.readOnly },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((a) => a.platform).sort()).toEqual(["meta", "tiktok"]);
    expect(res.body.nextCursor, res.text).toBeNull();
    const unhealthy = await api<{ items: unknown[] }>(
      "GET",
      `/v1/projects/${tenant.projectId}/ads/ad-accounts?healthy=false`,
      { key: tenant.keys.readOnly },
    );
    expect(unhealthy.body.items).toEqual([]);
  });

  it("answers 404 for another organization's project and for malformed ids", async () => {
    const other = await createTenant();
    expectError(
      await api("GET", `/v1/projects/${other.projectId}/ads/ad-accounts`, { key: tenant.keys.partner }),
      404,
      "NOT_FOUND",
    );
    expectError(
      await api("GET", "/v1/projects/123/ads/ad-accounts", { key: tenant.keys.partner }),
      404,
      "NOT_FOUND",
    );
  });
});
