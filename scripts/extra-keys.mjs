// Extra API keys in the demo organization for the bench and the load test. The demo keys are
// on the `partner` tier (6000 reads and 3000 writes a minute per key); spreading load over
// several keys keeps the measurement about the API rather than about its rate limiter.
// Each run mints fresh secrets (only their hashes are stored) and keeps them in memory only.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PARTNER_SCOPES } from "../src/db/tenant-seed.ts";
import { localD1Args } from "./local-state.mjs";

export const TENANT_FILE = ".dev-tenant.json";

export function readTenant() {
  return JSON.parse(readFileSync(TENANT_FILE, "utf8"));
}

const keyId = (tag, i) => `key_01JD00000000000000${tag}${String(i).padStart(3, "0")}`;

/**
 * Upserts `count` keys tagged `tag` (five Crockford base32 letters, e.g. "BENCH") into the
 * local D1 and returns the full key strings. Run it before `wrangler dev` starts.
 */
export function mintKeys({ organizationId, tag, count, actorType = "partner" }) {
  if (!/^[0-9A-HJKMNP-TV-Z]{5}$/.test(tag)) throw new Error(`bad key tag ${tag}`);
  const scopes = actorType === "user" ? ["*"] : PARTNER_SCOPES;
  const keys = [];
  const statements = [];
  for (let i = 1; i <= count; i++) {
    const id = keyId(tag, i);
    const secret = randomBytes(32).toString("hex");
    const hash = createHash("sha256").update(secret).digest("hex");
    keys.push(`lp_test_${id}_${secret}`);
    statements.push(
      `INSERT INTO api_keys (id, organization_id, name, secret_hash, env, actor_type, scopes, rate_limit_tier, killed_at, revoked_at, created_at)
       VALUES ('${id}', '${organizationId}', '${tag} ${actorType} ${i}', '${hash}', 'test', '${actorType}', '${JSON.stringify(scopes)}', 'partner', NULL, NULL, '${new Date().toISOString()}')
       ON CONFLICT (id) DO UPDATE SET secret_hash = excluded.secret_hash, actor_type = excluded.actor_type,
         scopes = excluded.scopes, killed_at = NULL, revoked_at = NULL;`,
    );
  }
  const file = join(mkdtempSync(join(tmpdir(), "keys-")), "keys.sql");
  writeFileSync(file, statements.join("\n"));
  execFileSync("wrangler", localD1Args(["execute", "DB", "--file", file]), {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return keys;
}

/** The key id inside a full key string. */
export const idOfKey = (fullKey) => fullKey.split("_").slice(2, 4).join("_");
