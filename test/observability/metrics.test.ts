import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/app";
import { createBody } from "../helpers/jobs";
import { createTenant, type TestTenant } from "../helpers/tenant";

/** A recording stand-in for the Analytics Engine binding, which is inert locally. */
class RecordingDataset implements AnalyticsEngineDataset {
  readonly points: AnalyticsEngineDataPoint[] = [];
  writeDataPoint(point?: AnalyticsEngineDataPoint): void {
    if (point) this.points.push(point);
  }
}

const app = buildApp();
let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant({ policies: { apple: { structural: "off" } } });
});
afterEach(() => vi.restoreAllMocks());

async function call(
  bindings: Record<string, unknown>,
  method: string,
  path: string,
  options: { key?: string; body?: unknown } = {},
) {
  vi.spyOn(console, "log").mockImplementation(() => {});
  const headers: Record<string, string> = {};
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const ctx = createExecutionContext();
  const res = await app.request(
    `https://api.test${path}`,
    { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) },
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("metrics per partner", () => {
  it("writes one data point per request, indexed by organization and key", async () => {
    const metrics = new RecordingDataset();
    const res = await call({ METRICS: metrics }, "GET", "/v1/whoami", { key: tenant.keys.partner });
    expect(res.status).toBe(200);
    expect(metrics.points).toHaveLength(1);
    expect(metrics.points[0]).toEqual({
      indexes: [`${tenant.organizationId}/${tenant.keyIds.partner}`],
      blobs: ["/v1/whoami", "200", "read", tenant.organizationId, tenant.keyIds.partner, "GET", "", ""],
      doubles: [expect.any(Number), 200],
    });
  });

  it("records the route template, error code and decision of a denial", async () => {
    const metrics = new RecordingDataset();
    const res = await call(
      { METRICS: metrics },
      "POST",
      `/v1/projects/${tenant.projectId}/ads/apple/campaigns`,
      { key: tenant.keys.partner, body: createBody(tenant, "apple") },
    );
    expect(res.status).toBe(403);
    expect(metrics.points).toHaveLength(1);
    expect(metrics.points[0]?.blobs).toEqual([
      "/v1/projects/:projectId/ads/:platform/campaigns",
      "403",
      "write",
      tenant.organizationId,
      tenant.keyIds.partner,
      "POST",
      "AUTHORITY_DENIED",
      "deny",
    ]);
    expect(metrics.points[0]?.doubles?.[1]).toBe(403);
  });

  it("records unauthenticated and unmatched requests too", async () => {
    const metrics = new RecordingDataset();
    await call({ METRICS: metrics }, "GET", "/v1/whoami");
    await call({ METRICS: metrics }, "GET", "/nowhere");
    expect(metrics.points.map((p) => [p.indexes, p.blobs?.[0], p.blobs?.[1], p.blobs?.[6]])).toEqual([
      [["anonymous/anonymous"], "/v1/whoami", "401", "UNAUTHENTICATED"],
      [["anonymous/anonymous"], "unmatched", "404", "NOT_FOUND"],
    ]);
  });

  it("serves the request when the binding is absent or failing", async () => {
    const absent = await call({ METRICS: undefined }, "GET", "/v1/whoami", { key: tenant.keys.partner });
    expect(absent.status).toBe(200);
    const failing = {
      writeDataPoint() {
        throw new Error("dataset unavailable");
      },
    };
    const broken = await call({ METRICS: failing }, "GET", "/v1/whoami", { key: tenant.keys.partner });
    expect(broken.status).toBe(200);
  });

  it("is bound in wrangler.toml (inert locally)", () => {
    expect(env.METRICS).toBeDefined();
    expect(typeof env.METRICS?.writeDataPoint).toBe("function");
  });
});
