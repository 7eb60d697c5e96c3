/** Organizations, projects, layers and their policies, ad accounts and API keys. */
import { and, eq, inArray, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { AuthorityBlock } from "../domain/authority";
import type { LayerControls } from "../domain/gate";
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

export function policyControls(row: LayerPolicyRow): LayerControls {
  return {
    killSwitchActive: row.killSwitchActive,
    partnerWritesEnabled: row.partnerWritesEnabled,
    partnerDefaultsChangesAllowed: row.partnerDefaultsChangesAllowed,
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

/** Compare-and-set on the policy's version: returns false when someone else wrote first. */
export async function updateLayerPolicy(
  db: D1Database,
  current: LayerPolicyRow,
  next: Omit<LayerPolicyRow, "layerId" | "platform" | "version">,
): Promise<boolean> {
  const result = await drizzle(db)
    .update(layerPolicies)
    .set({ ...next, version: current.version + 1 })
    .where(
      and(
        eq(layerPolicies.layerId, current.layerId),
        eq(layerPolicies.platform, current.platform),
        eq(layerPolicies.version, current.version),
      ),
    );
  return result.meta.changes === 1;
}

export async function findAdAccountById(db: D1Database, adAccountId: string) {
  const [row] = await drizzle(db).select().from(adAccounts).where(eq(adAccounts.id, adAccountId)).limit(1);
  return row ?? null;
}
