/**
 * SQL that creates a tenant (organization, project, layer with its three policy blocks, ad
 * accounts, API keys), re-runnable without changing anything. Used by `npm run seed` (run
 * under Node, so this file imports nothing at runtime) and by the tests' fixtures.
 */

export type SeedPlatform = "meta" | "tiktok" | "apple";
type SeedMode = "off" | "draft" | "auto";

export interface SeedKey {
  id: string;
  secret: string;
  name: string;
  env: "live" | "test";
  actorType: "partner" | "user";
  scopes: string[];
  rateLimitTier: "standard" | "pilot" | "partner";
}

export interface SeedAdAccount {
  id: string;
  platform: SeedPlatform;
  externalId: string;
  name: string;
  currency: string;
  timezone: string;
  tokenStatus: "valid" | "expired" | "revoked";
  connection: "sandbox" | "live";
  settings: Record<string, unknown>;
}

export interface SeedPolicy {
  creative: SeedMode;
  tactical: SeedMode;
  structural: SeedMode;
  killSwitchActive: boolean;
  partnerWritesEnabled: boolean;
  partnerDefaultsChangesAllowed: boolean;
}

export interface TenantSpec {
  organization: { id: string; name: string };
  project: { id: string; name: string };
  layerId: string;
  policies: Record<SeedPlatform, SeedPolicy>;
  adAccounts: SeedAdAccount[];
  keys: SeedKey[];
  createdAt: string;
}

export const PARTNER_SCOPES = [
  "ads:read",
  "ads:write:campaigns",
  "ads:write:budgets",
  "ads:write:targeting",
  "ads:write:lifecycle",
  "ads:write:creative",
  "ads:write:policy",
  "ads:write:pending",
  "ads:write:connect",
  "jobs:read",
  "audit:read",
  "webhooks:read",
  "webhooks:write",
];

export const OPEN_POLICY: SeedPolicy = {
  creative: "auto",
  tactical: "auto",
  structural: "auto",
  killSwitchActive: false,
  partnerWritesEnabled: true,
  partnerDefaultsChangesAllowed: true,
};

const quote = (value: string | number | boolean | null): string => {
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return String(value);
  return `'${value.replaceAll("'", "''")}'`;
};

const insert = (
  table: string,
  row: Record<string, string | number | boolean | null>,
  onConflict = "DO NOTHING",
) =>
  `INSERT INTO ${table} (${Object.keys(row).join(", ")}) VALUES (${Object.values(row).map(quote).join(", ")}) ON CONFLICT ${onConflict};`;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function tenantStatements(spec: TenantSpec): Promise<string[]> {
  const at = spec.createdAt;
  const seeder = JSON.stringify({ actorType: "system", actorOrganizationId: null, actorApiKeyId: null });
  const statements = [
    insert("organizations", { id: spec.organization.id, name: spec.organization.name, created_at: at }),
    insert("projects", {
      id: spec.project.id,
      organization_id: spec.organization.id,
      name: spec.project.name,
      created_at: at,
    }),
    insert("layers", {
      id: spec.layerId,
      organization_id: spec.organization.id,
      project_id: spec.project.id,
      created_at: at,
    }),
  ];
  for (const [platform, policy] of Object.entries(spec.policies)) {
    statements.push(
      insert("layer_policies", {
        layer_id: spec.layerId,
        platform,
        creative: policy.creative,
        tactical: policy.tactical,
        structural: policy.structural,
        kill_switch_active: policy.killSwitchActive,
        partner_writes_enabled: policy.partnerWritesEnabled,
        partner_defaults_changes_allowed: policy.partnerDefaultsChangesAllowed,
        version: 1,
        last_modified_at: at,
        last_modified_by: seeder,
      }),
    );
  }
  for (const account of spec.adAccounts) {
    statements.push(
      insert("ad_accounts", {
        id: account.id,
        organization_id: spec.organization.id,
        project_id: spec.project.id,
        platform: account.platform,
        external_id: account.externalId,
        name: account.name,
        currency: account.currency,
        timezone: account.timezone,
        token_status: account.tokenStatus,
        connection: account.connection,
        settings: JSON.stringify(account.settings),
        connected_at: at,
      }),
    );
  }
  for (const key of spec.keys) {
    statements.push(
      insert(
        "api_keys",
        {
          id: key.id,
          organization_id: spec.organization.id,
          name: key.name,
          secret_hash: await sha256Hex(key.secret),
          env: key.env,
          actor_type: key.actorType,
          scopes: JSON.stringify(key.scopes),
          rate_limit_tier: key.rateLimitTier,
          killed_at: null,
          revoked_at: null,
          created_at: at,
          secret_last_four: key.secret.slice(-4),
        },
        // A re-seed that had to mint new secrets (the key file was lost) rotates the hash only.
        "(id) DO UPDATE SET secret_hash = excluded.secret_hash, secret_last_four = excluded.secret_last_four WHERE secret_hash <> excluded.secret_hash",
      ),
    );
  }
  return statements;
}

/** The sandbox ad accounts every tenant starts with, one per platform. */
export function sandboxAdAccounts(ids: Record<SeedPlatform, string>, label: string): SeedAdAccount[] {
  return [
    {
      id: ids.meta,
      platform: "meta",
      externalId: "1234567890123",
      name: `${label} Meta`,
      currency: "USD",
      timezone: "America/New_York",
      tokenStatus: "valid",
      connection: "sandbox",
      // What Meta's Sales, Leads and App campaigns promote: the sandbox answers for any ids.
      settings: {
        defaultCountries: ["US"],
        promotedObject: {
          pixel_id: "1234567890123456",
          custom_event_type: "PURCHASE",
          page_id: "100000000000001",
          application_id: "200000000000002",
          object_store_url: "https://apps.apple.com/app/id1484093487",
        },
      },
    },
    {
      id: ids.tiktok,
      platform: "tiktok",
      externalId: "7012345678901234567",
      name: `${label} TikTok`,
      currency: "USD",
      timezone: "America/New_York",
      tokenStatus: "valid",
      connection: "sandbox",
      settings: { defaultCountries: ["US"] },
    },
    {
      id: ids.apple,
      platform: "apple",
      externalId: "40669820",
      name: `${label} Apple Search Ads`,
      currency: "USD",
      timezone: "America/New_York",
      tokenStatus: "valid",
      connection: "sandbox",
      settings: { adamId: 1484093487, defaultCountries: ["US"] },
    },
  ];
}
