import { SELF } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../helpers/http";
import { type OpenApiDocument, type ResponseContract, responseContract } from "../helpers/response-contract";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { isValidating, ResponseContractError, validatingFetch } from "../helpers/validating-fetch";

let document: OpenApiDocument;
let contract: ResponseContract;
let tenant: TestTenant;

beforeAll(async () => {
  const res = await api<OpenApiDocument>("GET", "/openapi.json");
  document = res.body;
  contract = responseContract(document);
  tenant = await createTenant();
});

const json = (body: unknown) => ({ contentType: "application/json", text: JSON.stringify(body) });
const whoami = {
  organizationId: "org_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
  organizationName: "Acme",
  apiKeyId: "key_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
  actorType: "partner",
  scopes: ["ads:read"],
  rateLimitTier: "partner",
  env: "test",
};

describe("response contract helper", () => {
  it("accepts a real response of the Worker", async () => {
    const res = await api("GET", "/v1/whoami", { key: tenant.keys.partner });
    expect(res.status, res.text).toBe(200);
    const observed = { method: "GET", path: "/v1/whoami", status: 200, ...json(res.body) };
    expect(contract.check(observed)).toEqual([]);
  });

  it("flags a status the operation does not document", () => {
    const violations = contract.check({ method: "GET", path: "/v1/whoami", status: 418, ...json(whoami) });
    expect(violations.join("\n")).toMatch(/status 418 is not documented for getWhoami/);
  });

  it("flags a body that breaks the documented schema, naming the field", () => {
    const body = { ...whoami, scopes: "ads:read", env: "staging" };
    const violations = contract.check({ method: "GET", path: "/v1/whoami", status: 200, ...json(body) });
    expect(violations.join("\n")).toMatch(/does not match its schema: \/scopes must be array/);
    expect(violations.join("\n")).toMatch(/\/env must be equal to one of the allowed values/);
  });

  it("follows $refs into the shared schemas (a list item missing a field)", () => {
    const path = `/v1/projects/${tenant.projectId}/ads/ad-accounts`;
    const item = { adAccountId: "aa_1", platform: "meta", externalId: "1", name: "n", currency: "USD" };
    const violations = contract.check({
      method: "GET",
      path,
      status: 200,
      ...json({ items: [item], nextCursor: null }),
    });
    expect(violations.join("\n")).toMatch(/\/items\/0 must have required property 'timezone'/);
    const legacy = contract.check({ method: "GET", path, status: 200, ...json({ data: [] }) });
    expect(legacy.join("\n")).toMatch(/must have required property 'items'/);
  });

  it("flags a body where none is documented, and a non-JSON body where JSON is", () => {
    const jobPath = "/v1/jobs/job_01JD2V4W3X5Y6Z7A8B9C0D1E2F";
    expect(
      contract.check({ method: "GET", path: jobPath, status: 304, contentType: null, text: "" }),
    ).toEqual([]);
    expect(
      contract.check({ method: "GET", path: jobPath, status: 304, ...json({ a: 1 }) }).join("\n"),
    ).toMatch(/lists no body/);
    expect(
      contract
        .check({ method: "GET", path: "/v1/whoami", status: 200, contentType: "text/plain", text: "hi" })
        .join("\n"),
    ).toMatch(/documented as application\/json/);
  });

  it("lets only the error envelope with 401 or 404 answer a request that names no operation", () => {
    const envelope = { error: { code: "NOT_FOUND", message: "Not found.", requestId: "req_1" } };
    expect(contract.check({ method: "GET", path: "/v1/nope", status: 404, ...json(envelope) })).toEqual([]);
    expect(
      contract.check({ method: "PUT", path: "/v1/whoami", status: 200, ...json(whoami) }).join(""),
    ).toMatch(/names no documented operation/);
    expect(
      contract.check({ method: "GET", path: "/v1/nope", status: 404, ...json({ message: "nope" }) }).join(""),
    ).toMatch(/must have required property 'error'/);
  });

  it("matches literal segments before parameters", () => {
    const path = `/v1/projects/${tenant.projectId}/ads/meta/pending/count`;
    expect(contract.check({ method: "GET", path, status: 200, ...json({ count: 3 }) })).toEqual([]);
    expect(contract.check({ method: "GET", path, status: 200, ...json({ count: "3" }) }).join("")).toMatch(
      /countPendingActions.*\/count must be integer/,
    );
  });
});

describe("response validation for the whole suite", () => {
  it("wraps the Worker's fetch as every test reaches it, SELF included", async () => {
    expect(isValidating(exports.default.fetch)).toBe(true);
    const installed = exports.default.fetch;
    const target = exports.default as { fetch: unknown };
    target.fetch = validatingFetch(
      async () => Response.json({ organizationId: 42 }),
      async () => contract,
    );
    try {
      await expect(SELF.fetch("https://api.test/v1/whoami")).rejects.toBeInstanceOf(ResponseContractError);
    } finally {
      target.fetch = installed;
    }
  });

  it("rejects the call that received a response the document does not allow", async () => {
    const lying = validatingFetch(
      async () => Response.json({ organizationId: 42 }, { status: 200 }),
      async () => contract,
    );
    const call = lying(new Request("https://api.test/v1/whoami"));
    await expect(call).rejects.toBeInstanceOf(ResponseContractError);
    await expect(
      validatingFetch(
        async () => new Response("teapot", { status: 418 }),
        async () => contract,
      )(new Request("https://api.test/v1/whoami")),
    ).rejects.toThrow(/status 418 is not documented/);
  });

  it("hands the caller the same status, headers and body it checked", async () => {
    const res = await exports.default.fetch(
      new Request("https://api.test/v1/whoami", {
        headers: { Authorization: `Bearer ${tenant.keys.partner}` },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
    expect(await res.json()).toMatchObject({ organizationId: tenant.organizationId });
  });
});
