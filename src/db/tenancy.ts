/** Organizations, projects, layers and their policies, ad accounts and API keys. */
import { and, eq, inArray, lt, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { AuthorityBlock } from "../domain/authority";
import type { LayerPolicy } from "../domain/layer-policy";
import type { Platform } from "../domain/platform-rules";
import { adAccounts, apiKeys, layerPolicies, layers, organizations, projects } from "./schema";

export type ApiKeyRow = typeof apiKeys.$inferSelect & { organizationName: string };
export type AdAccountRow = typeof adAccounts.$inferSelect;
export type LayerPolicyRow = typeof layerPolicies.$inferSelect;

export async function findApiKey(db: D1Database, keyId: string): Promise<ApiKeyRow | null> {
  const [row] = await drizzle(db)
    .select({ key: apiKeys, organizationName: organizations.name })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.organizationId))
    .where(eq(apiKeys.id, keyId))
    .limit(1);
  return row ? { ...row.key, organizationName: row.organizationName } : null;
}

export async function findProject(db: D1Database, organizationId: string, projectId: string) {
  const [row] = await drizzle(db)
    .select({ id: projects.id, organizationId: projects.organizationId, layerId: layers.id })
    .from(projects)
    .innerJoin(layers, eq(layers.projectId, projects.id))
    .where(and(eq(projects.id, projectId), eq(projects.organizationId, organizationId)))
    .limit(1);
  return row ?? null;
}

export async function listAdAccounts(
  db: D1Database,
  projectId: string,
  filters: { platforms?: Platform[]; healthy?: boolean },
) {
  const conditions: SQL[] = [eq(adAccounts.projectId, projectId)];
  if (filters.platforms?.length) conditions.push(inArray(adAccounts.platform, filters.platforms));
  const rows = await drizzle(db)
    .select()
    .from(adAccounts)
    .where(and(...conditions))
    .orderBy(adAccounts.connectedAt, adAccounts.id);
  if (filters.healthy === undefined) return rows;
  return rows.filter((r) => (r.tokenStatus === "valid") === filters.healthy);
}

export async function findAdAccount(db: D1Database, projectId: string, adAccountId: string) {
  const [row] = await drizzle(db)
    .select()
    .from(adAccounts)
    .where(and(eq(adAccounts.id, adAccountId), eq(adAccounts.projectId, projectId)))
    .limit(1);
  return row ?? null;
}

export function policyDefaults(row: LayerPolicyRow): AuthorityBlock {
  return {
    creative: row.creative as AuthorityBlock["creative"],
    tactical: row.tactical as AuthorityBlock["tactical"],
    structural: row.structural as AuthorityBlock["structural"],
  };
}

export async function findLayerPolicy(db: D1Database, layerId: string, platform: Platform) {
  const [row] = await drizzle(db)
    .select()
    .from(layerPolicies)
    .where(and(eq(layerPolicies.layerId, layerId), eq(layerPolicies.platform, platform)))
    .limit(1);
  return row ?? null;
}

export async function findAdAccountById(db: D1Database, adAccountId: string) {
  const [row] = await drizzle(db).select().from(adAccounts).where(eq(adAccounts.id, adAccountId)).limit(1);
  return row ?? null;
}

/**
 * D1 copies of layer policies, written only by the layer object, in one batch. A row is
 * only moved forward (an older version never overwrites a newer one), so replays are harmless.
 */
export async function projectLayerPolicies(db: D1Database, policies: LayerPolicy[]): Promise<void> {
  const orm = drizzle(db);
  const statements = policies.map((p) =>
    orm
      .update(layerPolicies)
      .set({
        creative: p.creative,
        tactical: p.tactical,
        structural: p.structural,
        killSwitchActive: p.killSwitchActive,
        partnerWritesEnabled: p.partnerWritesEnabled,
        partnerDefaultsChangesAllowed: p.partnerDefaultsChangesAllowed,
        partnerApprovalsEnabled: p.partnerApprovalsEnabled,
        version: p.version,
        lastModifiedAt: p.lastModifiedAt,
        lastModifiedBy: p.lastModifiedBy,
      })
      .where(
        and(
          eq(layerPolicies.layerId, p.layerId),
          eq(layerPolicies.platform, p.platform),
          lt(layerPolicies.version, p.version),
        ),
      ),
  );
  const [first, ...rest] = statements;
  if (first) await orm.batch([first, ...rest]);
}
