import { describe, expect, it } from "vitest";
import { PARTNER_SCOPES } from "../../src/db/tenant-seed";
import { KEY_SCOPES } from "../../src/domain/api-keys";
import { api } from "../helpers/http";

/** Every scope some operation requires, as the served document states it. */
async function requiredScopes(): Promise<string[]> {
  const res = await api<{ paths: Record<string, Record<string, { "x-required-scopes"?: string[] }>> }>(
    "GET",
    "/openapi.json",
  );
  const scopes = Object.values(res.body.paths)
    .flatMap((ops) => Object.values(ops))
    .flatMap((op) => op["x-required-scopes"] ?? []);
  return [...new Set(scopes)].filter((s) => !s.endsWith(":*")).sort();
}

describe("the scope vocabulary keeps up with the routes", () => {
  it("a customer can mint a key with every scope some route requires", async () => {
    const required = await requiredScopes();
    expect(required.length).toBeGreaterThan(5);
    expect(required.filter((s) => !(KEY_SCOPES as readonly string[]).includes(s))).toEqual([]);
  });

  it("the seeded partner key holds every partner-facing scope", async () => {
    const customerOnly = new Set(["keys:write"]);
    const required = (await requiredScopes()).filter((s) => !customerOnly.has(s));
    expect(required.filter((s) => !PARTNER_SCOPES.includes(s))).toEqual([]);
  });
});
