/** Test fixtures: a fresh tenant per test, created with the same SQL `npm run seed` uses. */
import { env } from "cloudflare:workers";
import {
  OPEN_POLICY,
  PARTNER_SCOPES,
  type SeedKey,
  type SeedPlatform,
  type SeedPolicy,
  sandboxAdAccounts,
  tenantStatements,
} from "../../src/db/tenant-seed";
import { newSecret } from "../../src/domain/api-keys";
import { newId } from "../../src/domain/ids";

export interface TestKeyOptions {
  actorType?: "partner" | "user";
  scopes?: string[];
  env?: "live" | "test";
  rateLimitTier?: SeedKey["rateLimitTier"];
}

export interface TestTenant {
  organizationId: string;
  projectId: string;
  layerId: string;
  adAccounts: Record<SeedPlatform, string>;
  keys: { partner: string; customer: string; readOnly: string };
  keyIds: { partner: string; customer: string; readOnly: string };
  /** Mint another key in this organization. */
  addKey(options?: TestKeyOptions): Promise<{ key: string; keyId: string }>;
}

export async function createTenant(
  options: { policies?: Partial<Record<SeedPlatform, Partial<SeedPolicy>>>; name?: string } = {},
): Promise<TestTenant> {
  const organizationId = newId("organization");
  const projectId = newId("project");
  const layerId = newId("layer");
  const adAccounts = { meta: newId("adAccount"), tiktok: newId("adAccount"), apple: newId("adAccount") };
  const policy = (platform: SeedPlatform): SeedPolicy => ({
    ...OPEN_POLICY,
    ...options.policies?.[platform],
  });
  const mint = (name: string, o: TestKeyOptions = {}): SeedKey => ({
    id: newId("apiKey"),
    secret: newSecret(),
    name,
    env: o.env ?? "test",
    actorType: o.actorType ?? "partner",
    scopes: o.scopes ?? PARTNER_SCOPES,
    rateLimitTier: o.rateLimitTier ?? "partner",
  });
  const partner = mint("partner");
  const customer = mint("customer", { actorType: "user", scopes: ["*"] });
  const readOnly = mint("read only", { scopes: ["ads:read", "jobs:read"] });
  const createdAt = new Date().toISOString();
  const spec = {
    organization: { id: organizationId, name: options.name ?? "Test Organization" },
    project: { id: projectId, name: "Test Project" },
    layerId,
    policies: { meta: policy("meta"), tiktok: policy("tiktok"), apple: policy("apple") },
    adAccounts: sandboxAdAccounts(adAccounts, "Test"),
    keys: [partner, customer, readOnly],
    createdAt,
  };
  await runStatements(await tenantStatements(spec));
  const full = (k: SeedKey) => `lp_${k.env}_${k.id}_${k.secret}`;
  return {
    organizationId,
    projectId,
    layerId,
    adAccounts,
    keys: { partner: full(partner), customer: full(customer), readOnly: full(readOnly) },
    keyIds: { partner: partner.id, customer: customer.id, readOnly: readOnly.id },
    async addKey(o = {}) {
      const key = mint("extra", o);
      await runStatements(await tenantStatements({ ...spec, adAccounts: [], keys: [key] }));
      return { key: full(key), keyId: key.id };
    },
  };
}

export async function runStatements(statements: string[]): Promise<void> {
  await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));
}
