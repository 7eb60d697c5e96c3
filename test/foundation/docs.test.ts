import { describe, expect, it } from "vitest";
import { api } from "../helpers/http";

describe("GET /docs", () => {
  it("serves Scalar's page loading the bundle from this origin's static assets, cloud features off", async () => {
    const res = await api("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.text).toContain('<script src="/docs/scalar-standalone.js"></script>');
    expect(res.text, "no other origin is referenced").not.toMatch(/https?:\/\/(?!api\.test)/);
    const config = /createApiReference\('#app', (\{[\s\S]*\})\)\s*<\/script>/.exec(res.text)?.[1];
    expect(config, res.text).toBeDefined();
    expect(JSON.parse(config ?? "{}")).toMatchObject({
      url: "/openapi.json",
      servers: [{ url: "https://api.test" }],
      agent: { disabled: true },
      mcp: { disabled: true },
      telemetry: false,
      showDeveloperTools: "never",
      withDefaultFonts: false,
    });
  });
});
