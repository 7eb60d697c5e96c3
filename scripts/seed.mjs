// `npm run seed`: applies migrations to the local D1, seeds the demo tenant and a second,
// unrelated organization, and writes .dev-tenant.json. Running it again changes nothing.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPEN_POLICY, PARTNER_SCOPES, sandboxAdAccounts, tenantStatements } from "../src/db/tenant-seed.ts";
import { localD1Args } from "./local-state.mjs";

const TENANT_FILE = ".dev-tenant.json";
const CREATED_AT = "2026-01-01T00:00:00.000Z";

// Fixed ids, so a re-seed finds what it seeded before.
const ids = {
  organization: "org_01JD0000000000000000000001",
  project: "prj_01JD0000000000000000000001",
  layer: "lyr_01JD0000000000000000000001",
  adAccounts: {
    meta: "aa_01JD0000000000000000000001",
    tiktok: "aa_01JD0000000000000000000002",
    apple: "aa_01JD0000000000000000000003",
  },
  keys: {
    partner: "key_01JD0000000000000000000001",
    partnerReadOnly: "key_01JD0000000000000000000002",
    customer: "key_01JD0000000000000000000003",
  },
  other: {
    organization: "org_01JD0000000000000000000002",
    project: "prj_01JD0000000000000000000002",
    layer: "lyr_01JD0000000000000000000002",
    adAccounts: {
      meta: "aa_01JD0000000000000000000004",
      tiktok: "aa_01JD0000000000000000000005",
      apple: "aa_01JD0000000000000000000006",
    },
    keys: { partner: "key_01JD0000000000000000000004" },
  },
};

const previous = existsSync(TENANT_FILE) ? JSON.parse(readFileSync(TENANT_FILE, "utf8")) : null;
const secretOf = (fullKey) => (typeof fullKey === "string" ? fullKey.split("_").at(-1) : undefined);
const secret = (existing) => secretOf(existing) ?? randomBytes(32).toString("hex");
const secrets = {
  partner: secret(previous?.keys?.partner),
  partnerReadOnly: secret(previous?.keys?.partnerReadOnly),
  customer: secret(previous?.keys?.customer),
  otherPartner: secret(previous?.other?.keys?.partner),
};
const policies = { meta: OPEN_POLICY, tiktok: OPEN_POLICY, apple: OPEN_POLICY };
const key = (id, keySecret, name, actorType, scopes) => ({
  id,
  secret: keySecret,
  name,
  env: "test",
  actorType,
  scopes,
  rateLimitTier: "partner",
});

const statements = [
  ...(await tenantStatements({
    organization: { id: ids.organization, name: "Demo Organization" },
    project: { id: ids.project, name: "Demo Project" },
    layerId: ids.layer,
    policies,
    adAccounts: sandboxAdAccounts(ids.adAccounts, "Demo"),
    keys: [
      key(ids.keys.partner, secrets.partner, "Demo partner", "partner", PARTNER_SCOPES),
      key(ids.keys.partnerReadOnly, secrets.partnerReadOnly, "Demo partner (read only)", "partner", [
        "ads:read",
        "jobs:read",
      ]),
      key(ids.keys.customer, secrets.customer, "Demo customer dashboard", "user", ["*"]),
    ],
    createdAt: CREATED_AT,
  })),
  ...(await tenantStatements({
    organization: { id: ids.other.organization, name: "Other Organization" },
    project: { id: ids.other.project, name: "Other Project" },
    layerId: ids.other.layer,
    policies,
    adAccounts: sandboxAdAccounts(ids.other.adAccounts, "Other"),
    keys: [key(ids.other.keys.partner, secrets.otherPartner, "Other partner", "partner", PARTNER_SCOPES)],
    createdAt: CREATED_AT,
  })),
];

const wrangler = (args) => execFileSync("wrangler", args, { stdio: ["ignore", "pipe", "inherit"] });
wrangler(localD1Args(["migrations", "apply", "DB"]));
const sqlFile = join(mkdtempSync(join(tmpdir(), "seed-")), "seed.sql");
writeFileSync(sqlFile, statements.join("\n"));
wrangler(localD1Args(["execute", "DB", "--file", sqlFile]));

const fullKey = (id, keySecret) => `lp_test_${id}_${keySecret}`;
const tenant = {
  organizationId: ids.organization,
  projectId: ids.project,
  layerId: ids.layer,
  adAccounts: ids.adAccounts,
  keys: {
    partner: fullKey(ids.keys.partner, secrets.partner),
    partnerReadOnly: fullKey(ids.keys.partnerReadOnly, secrets.partnerReadOnly),
    customer: fullKey(ids.keys.customer, secrets.customer),
  },
  other: {
    organizationId: ids.other.organization,
    projectId: ids.other.project,
    adAccounts: { meta: ids.other.adAccounts.meta },
    keys: { partner: fullKey(ids.other.keys.partner, secrets.otherPartner) },
  },
};
const text = `${JSON.stringify(tenant, null, 2)}\n`;
if (!previous || JSON.stringify(previous) !== JSON.stringify(tenant)) writeFileSync(TENANT_FILE, text);
console.log(`Seeded the demo tenant; keys are in ${TENANT_FILE}.`);
