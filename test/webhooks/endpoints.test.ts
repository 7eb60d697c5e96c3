import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant } from "../helpers/tenant";
import { type Endpoint, receiverUrl, registerEndpoint } from "./fixtures";

const WEBHOOK_SCOPES = ["webhooks:read", "webhooks:write"];

describe("webhook endpoints", () => {
  it("creates an endpoint and shows its whsec_ secret once", async () => {
    const tenant = await createTenant();
    const url = receiverUrl();
    const created = await registerEndpoint(tenant, {
      url,
      events: ["job.completed", "pending_action.created"],
      description: "ops",
      projectId: tenant.projectId,
    });
    expect(created).toMatchObject({
      endpointId: expect.stringMatching(/^whe_/),
      url,
      status: "active",
      mode: "test",
      events: ["job.completed", "pending_action.created"],
      projectId: tenant.projectId,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const read = await api<Endpoint>("GET", `/v1/webhook-endpoints/${created.endpointId}`, {
      key: tenant.keys.customer,
    });
    expect(read.status, read.text).toBe(200);
    expect(read.body).not.toHaveProperty("secret");
    expect(read.text).not.toContain(created.secret);
  });

  it("lists endpoints as { items, nextCursor }, a page at a time", async () => {
    const tenant = await createTenant();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await registerEndpoint(tenant, { url: receiverUrl(), events: ["*"] })).endpointId);
    const first = await api<{ items: Endpoint[]; nextCursor: string | null }>(
      "GET",
      "/v1/webhook-endpoints?limit=2",
      {
        key: tenant.keys.customer,
      },
    );
    expect(first.status, first.text).toBe(200);
    expect(first.body.items.map((e) => e.endpointId)).toEqual(ids.slice(0, 2));
    expect(first.text).not.toContain("whsec_");
    const second = await api<{ items: Endpoint[]; nextCursor: string | null }>(
      "GET",
      `/v1/webhook-endpoints?limit=2&cursor=${first.body.nextCursor}`,
      { key: tenant.keys.customer },
    );
    expect(second.body).toEqual({
      items: [expect.objectContaining({ endpointId: ids[2] })],
      nextCursor: null,
    });
    expectError(
      await api("GET", "/v1/webhook-endpoints?cursor=nope", { key: tenant.keys.customer }),
      422,
      "VALIDATION",
    );
  });

  it("patches, disables, re-activates and deletes", async () => {
    const tenant = await createTenant();
    const e = await registerEndpoint(tenant, { url: receiverUrl(), events: ["*"] });
    const path = `/v1/webhook-endpoints/${e.endpointId}`;
    const key = tenant.keys.customer;
    const disabled = await api<Endpoint>("PATCH", path, {
      key,
      body: { status: "disabled", events: ["job.failed"] },
    });
    expect(disabled.body, disabled.text).toMatchObject({ status: "disabled", events: ["job.failed"] });
    const active = await api<Endpoint>("PATCH", path, { key, body: { status: "active", description: null } });
    expect(active.body).toMatchObject({ status: "active", description: null });
    expectError(await api("PATCH", path, { key, body: { status: "auto_paused" } }), 422, "VALIDATION");
    expectError(await api("PATCH", path, { key, body: {} }), 422, "VALIDATION");
    const read = await api("GET", path, { key });
    const etag = read.headers.get("ETag") ?? "";
    expect(etag).toMatch(/^"w/);
    expectError(
      await api("PATCH", path, { key, body: { description: "x" }, headers: { "If-Match": '"w1.0.0"' } }),
      412,
      "PRECONDITION_FAILED",
    );
    const matched = await api("PATCH", path, {
      key,
      body: { description: "x" },
      headers: { "If-Match": etag },
    });
    expect(matched.status, matched.text).toBe(200);
    expect((await api("DELETE", path, { key })).status).toBe(204);
    expectError(await api("GET", path, { key }), 404, "NOT_FOUND");
    expectError(await api("DELETE", path, { key }), 404, "NOT_FOUND");
  });

  it("refuses unknown event names, empty or oversized lists and unknown fields with 422", async () => {
    const tenant = await createTenant();
    const post = (body: unknown) => api("POST", "/v1/webhook-endpoints", { key: tenant.keys.customer, body });
    const url = receiverUrl();
    const unknown = expectError(
      await post({ url, events: ["job.completed", "job.exploded"] }),
      422,
      "VALIDATION",
    );
    expect(JSON.stringify(unknown)).toContain("events");
    expectError(await post({ url, events: [] }), 422, "VALIDATION");
    expectError(await post({ url, events: Array(51).fill("job.failed") }), 422, "VALIDATION");
    expectError(await post({ url, events: ["*", "job.failed"] }), 422, "VALIDATION");
    expectError(await post({ url, events: ["*"], secret: "mine" }), 422, "VALIDATION");
    expectError(
      await post({ url, events: ["*"], projectId: "prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F" }),
      404,
      "NOT_FOUND",
    );
  });

  it("live keys need https and a public host; test keys may use http://localhost", async () => {
    const tenant = await createTenant();
    const live = await tenant.addKey({ env: "live", scopes: WEBHOOK_SCOPES });
    const test = await tenant.addKey({ env: "test", scopes: WEBHOOK_SCOPES });
    const post = (key: string, url: string) =>
      api("POST", "/v1/webhook-endpoints", { key, body: { url, events: ["*"] } });
    for (const url of [
      "http://hooks.example.com/x",
      "https://localhost/x",
      "https://127.0.0.1/x",
      "https://10.1.2.3/x",
      "https://192.168.0.10/x",
      "https://172.20.0.1/x",
      "https://169.254.169.254/latest",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://metadata/x",
      "http://localhost:3000/x",
      "not a url",
    ]) {
      expectError(await post(live.key, url), 422, "VALIDATION");
    }
    expect((await post(live.key, "https://hooks.example.com/x")).status).toBe(201);
    expect((await post(test.key, "http://localhost:3000/x")).status).toBe(201);
    expect((await post(test.key, "http://127.0.0.1:3000/x")).status).toBe(201);
    expectError(await post(test.key, "http://hooks.example.com/x"), 422, "VALIDATION");
    expectError(await post(test.key, "https://10.0.0.1/x"), 422, "VALIDATION");
  });

  it("needs webhooks:read / webhooks:write, and another organization's endpoints are not found", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const e = await registerEndpoint(tenant, { url: receiverUrl(), events: ["*"] });
    const reader = await tenant.addKey({ scopes: ["webhooks:read"] });
    expect((await api("GET", "/v1/webhook-endpoints", { key: reader.key })).status).toBe(200);
    expectError(
      await api("POST", "/v1/webhook-endpoints", {
        key: reader.key,
        body: { url: receiverUrl(), events: ["*"] },
      }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expectError(
      await api("GET", "/v1/webhook-endpoints", { key: tenant.keys.readOnly }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expectError(await api("GET", "/v1/webhook-endpoints"), 401, "UNAUTHENTICATED");
    const path = `/v1/webhook-endpoints/${e.endpointId}`;
    for (const [method, suffix] of [
      ["GET", ""],
      ["PATCH", ""],
      ["DELETE", ""],
      ["POST", "/rotate-secret"],
      ["POST", "/test"],
      ["GET", "/deliveries"],
    ] as const) {
      const res = await api(method, `${path}${suffix}`, {
        key: other.keys.customer,
        ...(method === "PATCH" ? { body: { status: "disabled" } } : {}),
      });
      expectError(res, 404, "NOT_FOUND");
    }
    expectError(
      await api("GET", "/v1/webhook-endpoints/whe_nope", { key: tenant.keys.customer }),
      404,
      "NOT_FOUND",
    );
    const list = await api<{ items: Endpoint[] }>("GET", "/v1/webhook-endpoints", {
      key: other.keys.customer,
    });
    expect(list.body.items).toEqual([]);
  });
});
