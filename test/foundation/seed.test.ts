import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { OPEN_POLICY, PARTNER_SCOPES, sandboxAdAccounts, tenantStatements } from "../../src/db/tenant-seed";
import { newSecret } from "../../src/domain/api-keys";
import { newId } from "../../src/domain/ids";
import { runStatements } from "../helpers/tenant";

const TABLES = ["organizations", "projects", "layers", "layer_policies", "ad_accounts", "api_keys"];

async function snapshot(): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { results } = await env.DB.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
    parts.push(JSON.stringify(results));
  }
  return parts.join("\n");
}

describe("seeding", () => {
  it("seeding the same tenant twice changes nothing", async () => {
    const organizationId = newId("organization");
    const spec = {
      organization: { id: organizationId, name: "Seed Org" },
      project: { id: newId("project"), name: "Seed Project" },
      layerId: newId("layer"),
      policies: { meta: OPEN_POLICY, tiktok: OPEN_POLICY, apple: OPEN_POLICY },
      adAccounts: sandboxAdAccounts(
        { meta: newId("adAccount"), tiktok: newId("adAccount"), apple: newId("adAccount") },
        "S",
      ),
      keys: [
        {
          id: newId("apiKey"),
          secret: newSecret(),
          name: "k",
          env: "test" as const,
          actorType: "partner" as const,
          scopes: PARTNER_SCOPES,
          rateLimitTier: "partner" as const,
        },
      ],
      createdAt: "2026-01-01T00:00:00.000Z",
    };
    await runStatements(await tenantStatements(spec));
    const first = await snapshot();
    await runStatements(await tenantStatements(spec));
    expect(await snapshot()).toBe(first);
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM layer_policies WHERE layer_id = ?")
      .bind(spec.layerId)
      .all<{ n: number }>();
    expect(results[0]?.n).toBe(3);
  });
});
