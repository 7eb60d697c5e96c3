import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import { api } from "../helpers/http";

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
  "x-required-scopes"?: string[];
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and covers every registered route with scopes and error responses", async () => {
    const res = await api<{ openapi: string; paths: Record<string, Record<string, Operation>> }>(
      "GET",
      "/openapi.json",
    );
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(res.body.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        expect(operation.security, `${method} ${path}`).toBeDefined();
        // Operator endpoints (/ops) take the operator token, not an API key with scopes.
        if (!path.startsWith("/v1/")) continue;
        expect(operation["x-required-scopes"], `${method} ${path}`).toBeDefined();
        // Public operations (the OAuth callback and sandbox consent page) declare `security: []`.
        const isPublic = operation.security?.length === 0;
        for (const status of isPublic ? ["404", "500"] : ["401", "403", "429", "500", "503"]) {
          expect(operation.responses[status], `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
    const registered = buildApp()
      .routes.filter((r) => r.path.startsWith("/v1/") && r.method !== "ALL")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(registered.length).toBeGreaterThan(0);
    for (const route of new Set(registered)) expect(documented, route).toContain(route);
  });
});
