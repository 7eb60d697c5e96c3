// `npm run keys -- create|list|revoke …`: the operator's key tool. Works on the local D1
// (WRANGLER_PERSIST_TO honoured) or, with --remote, on the deployed one, through wrangler.
// Each change is audited: the event is chained onto the organization's audit chain (the
// ledger object reloads its head when it finds the chain moved, see objects/audit-ledger.ts).
//
//   npm run keys -- create --org org_… --name "Acme" --actor partner --scopes ads:read,jobs:read \
//     [--env test|live] [--tier standard|pilot|partner] [--expires 2027-01-01T00:00:00Z] \
//     [--return-url https://app.example.com/oauth/ …] [--remote]
//   npm run keys -- list --org org_… [--remote]
//   npm run keys -- revoke key_… [--remote]
//
// A revocation made here reaches D1 directly: running isolates notice it within 30 seconds
// (their key cache). `DELETE /v1/api-keys/:keyId` with a customer key is effective at once.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { ulid } from "ulidx";
import { canonicalJson, GENESIS_HASH, sha256Hex } from "../src/domain/audit-chain.ts";
import { localD1Args } from "./local-state.mjs";

const SCOPES = [
  "*",
  "ads:read",
  "ads:write:campaigns",
  "ads:write:budgets",
  "ads:write:lifecycle",
  "ads:write:targeting",
  "ads:write:creative",
  "ads:write:connect",
  "ads:write:policy",
  "ads:write:pending",
  "jobs:read",
  "audit:read",
  "webhooks:read",
  "webhooks:write",
  "keys:write",
];
const ID = (prefix) => new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    remote: { type: "boolean", default: false },
    org: { type: "string" },
    name: { type: "string" },
    actor: { type: "string", default: "partner" },
    scopes: { type: "string", default: "" },
    env: { type: "string", default: "test" },
    tier: { type: "string", default: "standard" },
    expires: { type: "string" },
    "return-url": { type: "string", multiple: true },
  },
});

function fail(message) {
  console.error(`keys: ${message}`);
  process.exit(1);
}

const quote = (v) => (v === null || v === undefined ? "NULL" : `'${String(v).replaceAll("'", "''")}'`);

function d1(sql) {
  const target = values.remote ? ["execute", "DB", "--remote"] : ["execute", "DB"];
  const args = values.remote ? ["d1", ...target] : localD1Args(target);
  const out = execFileSync("wrangler", [...args, "--json", "--command", sql], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out)[0]?.results ?? [];
}

async function audit(organizationId, eventType, apiKeyId, data) {
  const event = {
    eventId: `evt_${ulid()}`,
    eventType,
    occurredAt: new Date().toISOString(),
    requestId: null,
    organizationId,
    projectId: null,
    apiKeyId: null,
    actorType: "system",
    verdictId: null,
    data: { ...data, targetApiKeyId: apiKeyId, via: "operator-cli" },
  };
  for (let attempt = 1; ; attempt++) {
    const [head] = d1(
      `SELECT seq, hash FROM audit_events WHERE organization_id = ${quote(organizationId)} ORDER BY seq DESC LIMIT 1`,
    );
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = await sha256Hex(canonicalJson({ ...event, seq, prevHash }));
    try {
      d1(
        `INSERT INTO audit_events (id, organization_id, seq, event_type, occurred_at, request_id, project_id, api_key_id, actor_type, verdict_id, data, prev_hash, hash) VALUES (${[
          event.eventId,
          organizationId,
          seq,
          eventType,
          event.occurredAt,
          null,
          null,
          null,
          "system",
          null,
          JSON.stringify(event.data),
          prevHash,
          hash,
        ]
          .map((v) => (typeof v === "number" ? String(v) : quote(v)))
          .join(", ")})`,
      );
      return;
    } catch (error) {
      // Someone appended at the same position: read the new head and chain after it.
      if (attempt >= 3) throw error;
    }
  }
}

async function create() {
  const org = values.org;
  if (!org || !ID("org").test(org)) fail("--org org_… is required");
  if (!values.name) fail("--name is required");
  if (!["partner", "user"].includes(values.actor)) fail("--actor is partner or user");
  if (!["test", "live"].includes(values.env)) fail("--env is test or live");
  if (!["standard", "pilot", "partner"].includes(values.tier)) fail("--tier is standard, pilot or partner");
  const scopes = values.scopes.split(",").filter(Boolean);
  const unknown = scopes.filter((s) => !SCOPES.includes(s));
  if (unknown.length > 0) fail(`unknown scopes: ${unknown.join(", ")}`);
  if (values.actor === "partner" && scopes.includes("keys:write"))
    fail("partner keys never carry keys:write");
  let expiresAt = null;
  if (values.expires) {
    const at = Date.parse(values.expires);
    if (Number.isNaN(at) || at <= Date.now()) fail("--expires must be a future ISO 8601 time");
    expiresAt = new Date(at).toISOString();
  }
  const allowlist = values["return-url"] ?? [];
  for (const url of allowlist) {
    try {
      const parsed = new URL(url);
      const local = parsed.hostname === "localhost" || parsed.hostname === "127.0.0.1";
      if (!(parsed.protocol === "https:" || (parsed.protocol === "http:" && local))) throw new Error();
    } catch {
      fail(`--return-url ${url} is not an https origin or URL prefix`);
    }
  }
  if (d1(`SELECT id FROM organizations WHERE id = ${quote(org)}`).length === 0)
    fail(`no organization ${org}`);
  const id = `key_${ulid()}`;
  const secret = randomBytes(32).toString("hex");
  const createdAt = new Date().toISOString();
  d1(
    `INSERT INTO api_keys (id, organization_id, name, secret_hash, env, actor_type, scopes, rate_limit_tier, killed_at, revoked_at, created_at, secret_last_four, expires_at, return_url_allowlist) VALUES (${[
      id,
      org,
      values.name,
      createHash("sha256").update(secret).digest("hex"),
      values.env,
      values.actor,
      JSON.stringify(scopes),
      values.tier,
      null,
      null,
      createdAt,
      secret.slice(-4),
      expiresAt,
      allowlist.length > 0 ? JSON.stringify(allowlist) : null,
    ]
      .map(quote)
      .join(", ")})`,
  );
  await audit(org, "api_key.created", id, {
    createdApiKeyId: id,
    actorType: values.actor,
    scopes,
    env: values.env,
  });
  console.log(`Created ${id} (${values.actor}, ${values.env}). The key, shown this once:`);
  console.log(`lp_${values.env}_${id}_${secret}`);
}

function list() {
  const org = values.org;
  if (!org || !ID("org").test(org)) fail("--org org_… is required");
  const rows = d1(
    `SELECT id, name, env, actor_type, scopes, rate_limit_tier, secret_last_four, created_at, last_used_at, expires_at, killed_at, revoked_at FROM api_keys WHERE organization_id = ${quote(org)} ORDER BY created_at DESC, id DESC`,
  );
  console.table(
    rows.map((r) => ({
      key: `lp_${r.env}_${r.id}_…${r.secret_last_four ?? ""}`,
      name: r.name,
      actor: r.actor_type,
      scopes: JSON.parse(r.scopes).join(" "),
      tier: r.rate_limit_tier,
      created: r.created_at,
      lastUsed: r.last_used_at,
      expires: r.expires_at,
      killed: r.killed_at,
      revoked: r.revoked_at,
    })),
  );
}

async function revoke() {
  const id = positionals[1];
  if (!id || !ID("key").test(id)) fail("revoke key_…");
  const [row] = d1(`SELECT organization_id, revoked_at FROM api_keys WHERE id = ${quote(id)}`);
  if (!row) fail(`no key ${id}`);
  if (row.revoked_at) {
    console.log(`${id} was already revoked at ${row.revoked_at}.`);
    return;
  }
  const at = new Date().toISOString();
  d1(`UPDATE api_keys SET revoked_at = ${quote(at)} WHERE id = ${quote(id)} AND revoked_at IS NULL`);
  await audit(row.organization_id, "api_key.revoked", id, { revokedApiKeyId: id });
  console.log(`Revoked ${id} at ${at} (running isolates notice within 30 seconds).`);
}

const commands = { create, list, revoke };
const command = commands[positionals[0]];
if (!command) fail("usage: keys create|list|revoke … (see the header of scripts/keys.mjs)");
await command();
