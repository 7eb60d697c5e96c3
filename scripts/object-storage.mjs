// Prints a local Durable Object's storage as JSON, found by the name the Worker addresses it
// by: a campaign id (CampaignObject), a key id (KeyGuardObject) or an organization id
// (AuditLedgerObject). Read-only; works while `npm run dev` is running. Needs Node ≥ 22.5
// (node:sqlite): run it as `npm exec -- node scripts/object-storage.mjs cmp_…`.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { deserialize } from "node:v8";

const CLASS_BY_PREFIX = { cmp: "CampaignObject", key: "KeyGuardObject", org: "AuditLedgerObject" };

const name = process.argv[2];
if (!name) {
  console.error("usage: node scripts/object-storage.mjs <cmp_…|key_…|org_…>");
  process.exit(2);
}
const className = CLASS_BY_PREFIX[name.split("_")[0]];
if (!className) {
  console.error(`No Durable Object is addressed by ${name}; pass a cmp_, key_ or org_ id.`);
  process.exit(2);
}
const stateDir = process.env.WRANGLER_PERSIST_TO ?? ".wrangler/state";
const dir = join(stateDir, "v3", "do", `ads-partner-api-${className}`);
if (!existsSync(dir)) {
  console.error(`No local ${className} state under ${dir}; has \`npm run dev\` run here?`);
  process.exit(1);
}

const tables = (db) =>
  db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((r) => r.name);

for (const file of readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f))) {
  const db = new DatabaseSync(join(dir, file), { readOnly: true });
  try {
    const present = tables(db);
    // Miniflare records each object's name beside its storage.
    if (!present.includes("__miniflare_do_name")) continue;
    const named = db.prepare("SELECT name FROM __miniflare_do_name").all();
    if (!named.some((row) => row.name === name)) continue;
    const storage = {};
    if (present.includes("_cf_KV")) {
      for (const row of db.prepare("SELECT key, value FROM _cf_KV ORDER BY key").all()) {
        // Values are stored the way the runtime serializes them (V8's structured clone).
        storage[row.key] = deserialize(Buffer.from(row.value));
      }
    }
    console.log(JSON.stringify({ className, name, objectId: file.slice(0, 64), storage }, null, 2));
    process.exit(0);
  } finally {
    db.close();
  }
}
console.error(`No local ${className} named ${name} has been used here.`);
process.exit(1);
