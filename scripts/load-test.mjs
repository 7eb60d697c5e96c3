// `npm run load-test`: starts the API locally (loopback only) and sends 10 000 mixed requests
// across many campaigns with bounded concurrency and a hard time limit. Afterwards it checks
// that every accepted write has exactly one verdict in the audit log, every job is terminal or
// legitimately awaiting approval, nothing was lost, and no response was a 5xx. Exits 1 on any
// violation.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import os from "node:os";
import { idOfKey, mintKeys, readTenant } from "./extra-keys.mjs";
import { localD1Args } from "./local-state.mjs";
import { startApi } from "./serve.mjs";

const TOTAL_REQUESTS = 10_000;
const CONCURRENCY = 32;
const CAMPAIGNS = 50;
const HARD_STOP_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SETUP_SETTLE_MS = 60_000;
const SETTLE_MS = 120_000;
const MAX_AUDIT_PAGES = 400;
const TERMINAL = new Set(["completed", "failed", "canceled"]);

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const chance = (p) => Math.random() < p;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const budget = () => 5000 + 100 * Math.floor(Math.random() * 500);

// ------------------------------------------------------------------ state

function newRun(tenant, keys) {
  return {
    tenant,
    keys,
    base: "",
    campaigns: [], // the write pool: { id, platform, draft, marker }
    fresh: [], // campaigns created during the run
    otherCampaign: null,
    etags: new Map(), // campaignId -> last seen authority ETag
    pendings: [], // { pendingId, platform } not yet decided by us
    decided: [], // pendings we already decided (a second decision must be 409)
    idempotent: [], // { idempotencyKey, key, path, body, verdictId, campaignId }
    accepted: new Map(), // verdictId -> op, for 2xx writes
    denied: new Map(), // verdictId -> op, for 403 AUTHORITY_DENIED
    jobIds: new Set(),
    createdCampaigns: new Set(),
    acceptedPatches: new Map(), // campaignId -> allowed authority PATCH count
    stats: new Map(), // op -> { statuses, latencies, reasons }
    serverErrors: [],
    unexpected: [],
    violations: [],
    requestIds: new Set(), // X-Request-Id of every response
    sent: 0,
  };
}

function record(run, op, req, res) {
  let entry = run.stats.get(op);
  if (!entry) {
    entry = { statuses: new Map(), latencies: [], reasons: new Map() };
    run.stats.set(op, entry);
  }
  entry.statuses.set(res.status, (entry.statuses.get(res.status) ?? 0) + 1);
  entry.latencies.push(res.ms);
  const error = res.body?.error;
  if (error && res.status >= 400 && res.status !== 429) {
    const reason = `${res.status} ${error.details?.reason ?? error.code}: ${error.message}`.slice(0, 100);
    entry.reasons.set(reason, (entry.reasons.get(reason) ?? 0) + 1);
  }
  const sample = {
    op,
    request: `${req.method} ${req.path}`,
    requestBody: String(req.body ?? "").slice(0, 300),
    status: res.status,
    response: (typeof res.body === "string" ? res.body : JSON.stringify(res.body)).slice(0, 500),
  };
  if (res.status >= 500 || res.status === 0) run.serverErrors.push(sample);
  return sample;
}

// ------------------------------------------------------------------ http

async function send(run, { method = "GET", path, key, body, headers = {} }) {
  const started = performance.now();
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
  if (key) init.headers.authorization = `Bearer ${key}`;
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["content-type"] ??= "application/json";
  }
  try {
    const res = await fetch(`${run.base}${path}`, init);
    const requestId = res.headers.get("x-request-id");
    if (requestId) run.requestIds.add(requestId);
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the report
    }
    return { status: res.status, body: parsed, headers: res.headers, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, body: String(error), headers: new Headers(), ms: performance.now() - started };
  }
}

/** Sends one request of the mix and checks the status against what the operation allows. */
async function perform(run, op, req, allowed) {
  const res = await send(run, req);
  const sample = record(
    run,
    op,
    { ...req, body: req.body === undefined ? "" : JSON.stringify(req.body) },
    res,
  );
  if (res.status !== 429 && res.status < 500 && res.status !== 0 && !allowed.includes(res.status)) {
    run.unexpected.push(sample);
  }
  if (res.status === 403 && res.body?.error?.code === "AUTHORITY_DENIED") {
    const verdictId = res.body.error.details?.verdictId;
    if (verdictId) run.denied.set(verdictId, op);
    else run.violations.push(`denial without a verdictId: ${JSON.stringify(sample)}`);
  }
  return res;
}

/** Books a 2xx write: its verdict must be new, its job remembered. */
function accept(run, op, res) {
  const { verdictId, jobId } = res.body;
  if (!verdictId) {
    run.violations.push(`${op}: accepted write without verdictId: ${JSON.stringify(res.body)}`);
    return;
  }
  if (run.accepted.has(verdictId)) run.violations.push(`${op}: verdictId ${verdictId} returned twice`);
  run.accepted.set(verdictId, op);
  if (jobId) run.jobIds.add(jobId);
}

// ------------------------------------------------------------------ request builders

const partnerKey = (run) => pick(run.keys.partner);
const customerKey = (run) => pick(run.keys.customer);
const projectPath = (run, platform) => `/v1/projects/${run.tenant.projectId}/ads/${platform}`;
const campaignPath = (run, c) => `${projectPath(run, c.platform)}/campaigns/${c.id}`;

function createBody(run, platform, { name, draft = false } = {}) {
  return {
    adAccountId: run.tenant.adAccounts[platform],
    name: name ?? `load ${randomUUID().slice(0, 8)}`,
    outcome: platform === "apple" ? "app_installs" : "conversions",
    dailyBudgetCents: budget(),
    campaignManagementMode: draft ? "draft" : "autopilot",
    creativeMode: "autopilot",
  };
}

/** Writes mostly go to the settled pool; some to campaigns created during the run. */
const writeTarget = (run) => (run.fresh.length > 0 && chance(0.1) ? pick(run.fresh) : pick(run.campaigns));

const randomAuthority = () => {
  const axis = pick(["creative", "tactical", "structural"]);
  const mode = pick(["auto", "auto", "auto", "draft", "draft", "off"]);
  return { [axis]: mode };
};

// ------------------------------------------------------------------ operations

async function authorityGet(run) {
  const c = pick(run.campaigns);
  const key = chance(0.5) ? partnerKey(run) : customerKey(run);
  const res = await perform(run, "authority GET", { path: `${campaignPath(run, c)}/authority`, key }, [200]);
  if (res.status === 200) run.etags.set(c.id, res.headers.get("etag"));
}

async function authorityPatch(run, actor) {
  const c = pick(run.campaigns);
  const op = `authority PATCH (${actor})`;
  const etag = run.etags.get(c.id);
  const headers = etag && chance(0.3) ? { "if-match": etag } : {};
  const key = actor === "customer" ? customerKey(run) : partnerKey(run);
  const res = await perform(
    run,
    op,
    {
      method: "PATCH",
      path: `${campaignPath(run, c)}/authority`,
      key,
      body: { authority: randomAuthority() },
      headers,
    },
    [200, 403, 412],
  );
  if (res.status === 200) {
    accept(run, op, res);
    run.acceptedPatches.set(c.id, (run.acceptedPatches.get(c.id) ?? 0) + 1);
    run.etags.set(c.id, res.headers.get("etag"));
  }
}

function rememberPending(run, res, platform) {
  if (res.status >= 200 && res.status < 300 && res.body.pendingId) {
    run.pendings.push({ pendingId: res.body.pendingId, platform });
  }
}

async function campaignWrite(run, op, method, suffix, body) {
  const c = writeTarget(run);
  const key = chance(0.8) ? partnerKey(run) : customerKey(run);
  const res = await perform(
    run,
    op,
    { method, path: `${campaignPath(run, c)}${suffix}`, key, body },
    [202, 403, 409],
  );
  if (res.status === 202) {
    accept(run, op, res);
    rememberPending(run, res, c.platform);
  }
}

async function create(run) {
  const platform = pick(["meta", "meta", "tiktok", "apple"]);
  const draft = chance(0.2);
  const res = await perform(
    run,
    "create campaign",
    {
      method: "POST",
      path: `${projectPath(run, platform)}/campaigns`,
      key: partnerKey(run),
      body: createBody(run, platform, { draft }),
    },
    [202],
  );
  if (res.status === 202) {
    accept(run, "create campaign", res);
    run.createdCampaigns.add(res.body.campaignId);
    run.fresh.push({ id: res.body.campaignId, platform, draft });
  }
}

/** Creates under an Idempotency-Key; half the time replays an earlier one (same key, same body). */
async function idempotentCreate(run) {
  const replay = run.idempotent.length > 0 && chance(0.5) ? pick(run.idempotent) : null;
  const op = replay ? "create (Idempotency-Key replay)" : "create (Idempotency-Key)";
  const platform = "meta";
  const entry = replay ?? {
    idempotencyKey: randomUUID(),
    key: partnerKey(run),
    path: `${projectPath(run, platform)}/campaigns`,
    body: createBody(run, platform),
  };
  const res = await perform(
    run,
    op,
    {
      method: "POST",
      path: entry.path,
      key: entry.key,
      body: entry.body,
      headers: { "idempotency-key": entry.idempotencyKey },
    },
    [202, 409],
  );
  if (res.status !== 202) return;
  if (res.headers.get("idempotent-replayed") === "true") {
    if (res.body.verdictId !== entry.verdictId || res.body.campaignId !== entry.campaignId) {
      run.violations.push(
        `${op}: replay answered ${JSON.stringify(res.body)}, first answer had ${entry.verdictId}`,
      );
    }
    return;
  }
  if (entry.verdictId) {
    run.violations.push(
      `${op}: key ${entry.idempotencyKey} created a second campaign ${res.body.campaignId}`,
    );
  }
  accept(run, op, res);
  run.createdCampaigns.add(res.body.campaignId);
  Object.assign(entry, { verdictId: res.body.verdictId, campaignId: res.body.campaignId });
  if (!replay) run.idempotent.push(entry);
}

async function jobGet(run) {
  const jobId = run.jobIds.size > 0 ? pick([...run.jobIds].slice(-500)) : null;
  if (!jobId) return authorityGet(run);
  await perform(run, "job GET", { path: `/v1/jobs/${jobId}`, key: partnerKey(run) }, [200]);
}

async function campaignGet(run) {
  const c = chance(0.7) || run.fresh.length === 0 ? pick(run.campaigns) : pick(run.fresh);
  await perform(run, "campaign GET", { path: campaignPath(run, c), key: partnerKey(run) }, [200]);
}

async function pendingList(run) {
  const platform = pick(["meta", "tiktok", "apple"]);
  const res = await perform(
    run,
    "pending list",
    { path: `${projectPath(run, platform)}/pending?limit=50`, key: customerKey(run) },
    [200],
  );
  if (res.status !== 200) return;
  const known = new Set(run.pendings.map((p) => p.pendingId));
  for (const item of res.body.items) {
    if (!known.has(item.pendingId)) run.pendings.push({ pendingId: item.pendingId, platform });
  }
}

async function decidePending(run, decision) {
  const again = run.decided.length > 0 && chance(0.1);
  const index = Math.floor(Math.random() * run.pendings.length);
  const item = again ? pick(run.decided) : run.pendings.splice(index, 1)[0];
  if (!item) return pendingList(run);
  const op = again ? `${decision} (already decided)` : decision;
  // Only the customer decides (partner approvals are off on the demo layer), and a decision is
  // judged by the gate as it stands: a partner key's decision, or one on an axis the load has
  // since switched off, is refused with a verdict and the action stays pending.
  const byPartner = chance(0.3);
  const key = byPartner ? partnerKey(run) : customerKey(run);
  const body = decision === "approve" ? { comment: "load test" } : { reason: "load test" };
  const path = `${projectPath(run, item.platform)}/pending/${item.pendingId}/${decision}`;
  // An action that is no longer pending answers 409 to anyone, before the gate is asked.
  const expected = byPartner ? [403, 409] : again ? [409] : [200, 403, 409];
  const res = await perform(run, op, { method: "POST", path, key, body }, expected);
  if (res.status === 200) accept(run, op, res);
  if (again) return;
  if (res.status === 403) run.pendings.push(item);
  else run.decided.push(item);
}

async function deleteFresh(run) {
  const c = run.fresh.length > 0 ? pick(run.fresh) : null;
  if (!c) return create(run);
  const res = await perform(
    run,
    "delete",
    { method: "DELETE", path: campaignPath(run, c), key: partnerKey(run) },
    [202, 403, 409],
  );
  if (res.status === 202) accept(run, "delete", res);
}

/** Requests that must be refused, each with the status the contract gives it. */
function invalidRequests(run) {
  const c = pick(run.campaigns);
  const path = campaignPath(run, c);
  const create = `${projectPath(run, "meta")}/campaigns`;
  const other = run.otherCampaign;
  const key = partnerKey(run);
  return [
    [
      "unknown field",
      422,
      { method: "POST", path: create, key, body: { ...createBody(run, "meta"), color: "red" } },
    ],
    ["bad create body", 422, { method: "POST", path: create, key, body: { name: "", dailyBudgetCents: -5 } }],
    [
      "two budgets",
      422,
      {
        method: "PATCH",
        path: `${path}/budget`,
        key,
        body: { dailyBudgetCents: 9000, lifetimeBudgetCents: 9000 },
      },
    ],
    ["not JSON", 400, { method: "PATCH", path: `${path}/budget`, key, body: "{not json" }],
    ["empty authority", 422, { method: "PATCH", path: `${path}/authority`, key, body: { authority: {} } }],
    [
      "bad mode",
      422,
      { method: "PATCH", path: `${path}/authority`, key, body: { authority: { tactical: "max" } } },
    ],
    [
      "unknown campaign",
      404,
      { path: `${projectPath(run, "meta")}/campaigns/cmp_01JD0000000000000000000000/authority`, key },
    ],
    ["malformed id", 404, { path: `${projectPath(run, "meta")}/campaigns/cmp_nope/authority`, key }],
    [
      "unknown platform",
      404,
      { path: `/v1/projects/${run.tenant.projectId}/ads/snapchat/campaigns/${c.id}`, key },
    ],
    ["no key", 401, { path: `${path}/authority` }],
    ["bad key", 401, { path: `${path}/authority`, key: `${key.slice(0, -4)}0000` }],
    ["read-only key writes", 403, { method: "POST", path: `${path}/pause`, key: run.keys.readOnly }],
    ["other org's campaign", 404, { path: `${other.path}/authority`, key }],
    [
      "other org's campaign id",
      404,
      { path: `${projectPath(run, "meta")}/campaigns/${other.id}/authority`, key },
    ],
    ["other org's key", 404, { path: `${path}/authority`, key: run.keys.other }],
    ["unknown job", 404, { path: "/v1/jobs/job_01JD0000000000000000000000", key }],
    [
      "unknown pending",
      404,
      {
        method: "POST",
        path: `${projectPath(run, "meta")}/pending/pa_01JD0000000000000000000000/approve`,
        key,
      },
    ],
    [
      "reject without reason",
      422,
      {
        method: "POST",
        path: `${projectPath(run, "meta")}/pending/pa_01JD0000000000000000000000/reject`,
        key,
        body: {},
      },
    ],
    ["oversized body", 413, { method: "POST", path: create, key, body: { name: "x".repeat(70_000) } }],
    ["unknown route", 404, { path: "/v1/nothing-here", key }],
  ];
}

async function invalid(run) {
  const [name, status, req] = pick(invalidRequests(run));
  const res = await perform(run, `invalid: ${name}`, req, [status]);
  if (res.status >= 200 && res.status < 300) {
    run.violations.push(`invalid request "${name}" was accepted: ${JSON.stringify(res.body).slice(0, 300)}`);
  }
}

/** The mix: [weight, operation]. */
const MIX = [
  [14, authorityGet],
  [7, (run) => authorityPatch(run, "partner")],
  [4, (run) => authorityPatch(run, "customer")],
  [14, (run) => campaignWrite(run, "budget PATCH", "PATCH", "/budget", { dailyBudgetCents: budget() })],
  [6, (run) => campaignWrite(run, "pause", "POST", "/pause")],
  [6, (run) => campaignWrite(run, "resume", "POST", "/resume")],
  [4, create],
  [2, idempotentCreate],
  [12, jobGet],
  [4, campaignGet],
  [3, pendingList],
  [6, (run) => decidePending(run, "approve")],
  [3, (run) => decidePending(run, "reject")],
  [0.5, deleteFresh],
  [8, invalid],
];
const MIX_TOTAL = MIX.reduce((sum, [w]) => sum + w, 0);

function pickOperation() {
  let roll = Math.random() * MIX_TOTAL;
  for (const [weight, operation] of MIX) {
    roll -= weight;
    if (roll < 0) return operation;
  }
  return MIX[0][1];
}

// ------------------------------------------------------------------ phases

/** The write pool: mostly autopilot, some draft, a few with sandbox failure markers. */
function poolSpecs() {
  const markers = [
    "[sandbox:fail=2]",
    "[sandbox:fail=2]",
    "[sandbox:throttle]",
    "[sandbox:reject]",
    "[sandbox:slow=1500]",
  ];
  return Array.from({ length: CAMPAIGNS }, (_, i) => ({
    platform: ["meta", "meta", "tiktok", "apple"][i % 4],
    draft: i % 4 === 1 || i % 7 === 0,
    marker: markers[i] ?? "",
  }));
}

async function setup(run) {
  for (const spec of poolSpecs()) {
    const res = await send(run, {
      method: "POST",
      path: `${projectPath(run, spec.platform)}/campaigns`,
      key: run.keys.partner[0],
      body: createBody(run, spec.platform, { name: `load pool ${spec.marker}`.trim(), draft: spec.draft }),
    });
    if (res.status !== 202) throw new Error(`setup create: ${res.status} ${JSON.stringify(res.body)}`);
    accept(run, "setup create", res);
    run.createdCampaigns.add(res.body.campaignId);
    run.campaigns.push({ id: res.body.campaignId, ...spec });
  }
  const otherTenant = run.tenant.other;
  const res = await send(run, {
    method: "POST",
    path: `/v1/projects/${otherTenant.projectId}/ads/meta/campaigns`,
    key: otherTenant.keys.partner,
    body: { ...createBody(run, "meta"), adAccountId: otherTenant.adAccounts.meta },
  });
  if (res.status !== 202)
    throw new Error(`setup other-org create: ${res.status} ${JSON.stringify(res.body)}`);
  run.otherCampaign = {
    id: res.body.campaignId,
    path: `/v1/projects/${otherTenant.projectId}/ads/meta/campaigns/${res.body.campaignId}`,
  };
  const open = await settle(run, [...run.jobIds], SETUP_SETTLE_MS);
  if (open.length > 0)
    console.log(`warning: ${open.length} setup jobs still running after ${SETUP_SETTLE_MS / 1000} s`);
}

async function mainPhase(run) {
  const deadline = Date.now() + HARD_STOP_MS;
  const worker = async () => {
    while (run.sent < TOTAL_REQUESTS && Date.now() < deadline) {
      run.sent += 1;
      await pickOperation()(run);
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (Date.now() - started) / 1000;
}

/** Polls jobs until each is terminal or awaiting approval, or the time is up; returns the rest. */
async function settle(run, jobIds, limitMs) {
  const deadline = Date.now() + limitMs;
  let open = jobIds;
  while (open.length > 0 && Date.now() < deadline) {
    const still = [];
    for (let i = 0; i < open.length; i += 16) {
      const batch = open.slice(i, i + 16);
      const results = await Promise.all(
        batch.map((jobId) => send(run, { path: `/v1/jobs/${jobId}`, key: partnerKey(run) })),
      );
      results.forEach((res, j) => {
        const settled =
          res.status === 200 && (TERMINAL.has(res.body.status) || res.body.stage === "awaiting_approval");
        if (!settled) still.push(batch[j]);
      });
    }
    open = still;
    if (open.length > 0) await sleep(2000);
  }
  return open;
}

/** Every verdict event of our keys since `since`, by verdictId, through the audit-log API. */
async function verdictEvents(run, since) {
  const ourKeys = new Set([...run.keys.partner, ...run.keys.customer].map(idOfKey));
  const counts = new Map();
  let cursor = null;
  for (let page = 0; page < MAX_AUDIT_PAGES; page++) {
    const query = new URLSearchParams({ eventType: "verdict", since, limit: "200" });
    if (cursor) query.set("cursor", cursor);
    const res = await send(run, { path: `/v1/audit-log?${query}`, key: run.keys.customer[0] });
    if (res.status !== 200) throw new Error(`audit-log: ${res.status} ${JSON.stringify(res.body)}`);
    for (const event of res.body.items) {
      if (event.verdictId && ourKeys.has(event.apiKeyId)) {
        counts.set(event.verdictId, (counts.get(event.verdictId) ?? 0) + 1);
      }
    }
    cursor = res.body.nextCursor;
    if (!cursor) return counts;
  }
  throw new Error(`audit-log: more than ${MAX_AUDIT_PAGES} pages`);
}

/**
 * The newest modification time under src/. `wrangler dev` reloads when a source file changes,
 * and a reload drops the local queue's in-flight messages (their jobs then wait for the
 * campaign object's stall watchdog), so a change during the run is worth knowing about.
 */
function latestSourceChange(dir = "src") {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    latest = Math.max(latest, entry.isDirectory() ? latestSourceChange(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function d1(sql) {
  const out = execFileSync("wrangler", localD1Args(["execute", "DB", "--json", "--command", sql]), {
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out)[0].results;
}

// ------------------------------------------------------------------ checks

function checkVerdicts(run, counts) {
  const expected = new Map([...run.accepted, ...run.denied]);
  let missing = 0;
  let duplicated = 0;
  for (const [verdictId, op] of expected) {
    const n = counts.get(verdictId) ?? 0;
    if (n === 1) continue;
    if (n === 0) missing += 1;
    else duplicated += 1;
    if (missing + duplicated <= 20)
      run.violations.push(`verdict ${verdictId} (${op}) appears ${n} times in the audit log`);
  }
  const orphans = [...counts.keys()].filter((id) => !expected.has(id));
  if (orphans.length > 0) {
    run.violations.push(
      `${orphans.length} verdict events no response told us about, e.g. ${orphans.slice(0, 5).join(", ")}`,
    );
  }
  return { expected: expected.size, missing, duplicated, orphans: orphans.length };
}

const jobRows = (where) =>
  d1(
    `SELECT j.id, j.status, j.stage, j.error, p.status AS pending_status FROM jobs j
     LEFT JOIN pending_actions p ON p.job_id = j.id WHERE ${where}`,
  );

/** Every job started since `since`, plus older ones we touched (approving a pending action left by an earlier run). */
function checkJobs(run, since) {
  const rows = jobRows(`j.organization_id = '${run.tenant.organizationId}' AND j.started_at >= '${since}'`);
  const inWindow = new Set(rows.map((r) => r.id));
  const older = [...run.jobIds].filter((id) => !inWindow.has(id));
  if (older.length > 0) rows.push(...jobRows(`j.id IN (${older.map((id) => `'${id}'`).join(",")})`));
  const found = new Set(rows.map((r) => r.id));
  const lost = [...run.jobIds].filter((id) => !found.has(id));
  if (lost.length > 0)
    run.violations.push(
      `${lost.length} accepted jobs are missing from D1, e.g. ${lost.slice(0, 5).join(", ")}`,
    );
  const tally = new Map();
  const stuck = [];
  for (const r of rows) {
    const awaiting =
      r.status === "running" && r.stage === "awaiting_approval" && r.pending_status === "pending";
    const label =
      r.status === "failed"
        ? `failed ${JSON.parse(r.error ?? "{}").code}`
        : awaiting
          ? "awaiting_approval"
          : r.status;
    tally.set(label, (tally.get(label) ?? 0) + 1);
    if (!TERMINAL.has(r.status) && !awaiting)
      stuck.push(`${r.id} ${r.status}/${r.stage} pending=${r.pending_status}`);
  }
  if (stuck.length > 0)
    run.violations.push(
      `${stuck.length} jobs neither terminal nor awaiting approval: ${stuck.slice(0, 10).join("; ")}`,
    );
  return { rows: rows.length, lost: lost.length, stuck: stuck.length, tally };
}

/** Each campaign's authority version counts exactly the PATCHes that were accepted for it. */
function checkAuthority(run) {
  const ids = run.campaigns.map((c) => `'${c.id}'`).join(",");
  const rows = d1(`SELECT id, authority_version FROM campaigns WHERE id IN (${ids})`);
  const lostUpdates = rows.filter((r) => r.authority_version !== 1 + (run.acceptedPatches.get(r.id) ?? 0));
  for (const r of lostUpdates.slice(0, 10)) {
    run.violations.push(
      `campaign ${r.id}: authority version ${r.authority_version}, expected ${1 + (run.acceptedPatches.get(r.id) ?? 0)}`,
    );
  }
  const created = d1(
    `SELECT COUNT(*) AS n FROM campaigns WHERE id IN (${[...run.createdCampaigns].map((id) => `'${id}'`).join(",")})`,
  )[0].n;
  if (created !== run.createdCampaigns.size) {
    run.violations.push(`${run.createdCampaigns.size - created} accepted creates have no campaign row`);
  }
  return { campaigns: rows.length, lostUpdates: lostUpdates.length, created };
}

// ------------------------------------------------------------------ report

const REQUEST_LINE_FIELDS = [
  "requestId",
  "route",
  "method",
  "status",
  "durationMs",
  "organizationId",
  "apiKeyId",
  "endpointClass",
  "errorCode",
  "decision",
  "verdictId",
];

/**
 * Every response's request id has exactly one `"msg":"request"` line in the Worker's output,
 * with every field, each verdict the decision the response implied, and no key or secret
 * appears anywhere in the output.
 */
function checkLogLines(run, output) {
  const lines = new Map(); // requestId -> count
  const decisions = new Map(); // verdictId -> decision
  let incomplete = 0;
  for (const text of output.split("\n")) {
    const start = text.indexOf('{"level"');
    if (start < 0) continue;
    let line;
    try {
      line = JSON.parse(text.slice(start));
    } catch {
      continue;
    }
    if (line.msg !== "request") continue;
    if (!REQUEST_LINE_FIELDS.every((field) => field in line)) incomplete += 1;
    lines.set(line.requestId, (lines.get(line.requestId) ?? 0) + 1);
    if (line.verdictId) decisions.set(line.verdictId, line.decision);
  }
  const counts = [...run.requestIds].map((id) => lines.get(id) ?? 0);
  const missing = counts.filter((n) => n === 0).length;
  const duplicated = counts.filter((n) => n > 1).length;
  const wrongDecision =
    [...run.accepted.keys()].filter((v) => !["allow", "queue"].includes(decisions.get(v))).length +
    [...run.denied.keys()].filter((v) => decisions.get(v) !== "deny").length;
  const keys = [...run.keys.partner, ...run.keys.customer, run.keys.readOnly, run.keys.other];
  const leaked = keys.filter((key) => output.includes(key) || output.includes(key.split("_").at(-1))).length;
  const bearer = output.includes("Bearer ");
  if (missing || duplicated || incomplete)
    run.violations.push(
      `log lines: ${missing} requests without a line, ${duplicated} with more than one, ${incomplete} lines missing fields`,
    );
  if (wrongDecision)
    run.violations.push(`log lines: ${wrongDecision} verdicts logged with the wrong decision`);
  if (leaked || bearer)
    run.violations.push(`log output holds ${leaked} API keys or secrets (Bearer: ${bearer})`);
  return { requests: run.requestIds.size, missing, duplicated, incomplete, wrongDecision, leaked };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function printStats(run) {
  const rows = [...run.stats].sort(([a], [b]) => a.localeCompare(b));
  for (const [op, { statuses, latencies, reasons }] of rows) {
    const codes = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    const p50 = percentile(latencies, 50).toFixed(1);
    const p99 = percentile(latencies, 99).toFixed(1);
    console.log(
      `  ${op.padEnd(36)} ${String(latencies.length).padStart(5)}  p50 ${p50.padStart(6)} ms  p99 ${p99.padStart(7)} ms  ${codes}`,
    );
    if (op.startsWith("invalid:")) continue;
    const top = [...reasons].sort(([, a], [, b]) => b - a).slice(0, 3);
    for (const [reason, n] of top) console.log(`      ${n}× ${reason}`);
  }
}

function printSummary(run, { seconds, verdicts, jobs, authority, unsettled, chain, logs }) {
  const all = [...run.stats.values()].flatMap((s) => [...s.statuses]);
  const count = (pred) => all.filter(([s]) => pred(s)).reduce((sum, [, n]) => sum + n, 0);
  console.log(
    `\nRequests: ${run.sent} in ${seconds.toFixed(1)} s (${(run.sent / seconds).toFixed(0)}/s), concurrency ${CONCURRENCY}`,
  );
  console.log(
    `  2xx ${count((s) => s < 300)}, 4xx ${count((s) => s >= 400 && s < 500)} (429: ${count((s) => s === 429)}), 5xx ${count((s) => s >= 500)}, no response ${count((s) => s === 0)}`,
  );
  printStats(run);
  console.log(
    `\nAccepted writes: ${run.accepted.size} (verdicts), denials with verdicts: ${run.denied.size}, jobs: ${run.jobIds.size}, campaigns created: ${run.createdCampaigns.size}`,
  );
  console.log(
    `Verdicts in the audit log: ${verdicts.expected} expected, ${verdicts.missing} missing, ${verdicts.duplicated} duplicated, ${verdicts.orphans} unexplained`,
  );
  console.log(`Audit chain: ${JSON.stringify(chain)}`);
  console.log(
    `Log lines: ${logs.requests} requests, ${logs.missing} without a line, ${logs.duplicated} with several, ${logs.incomplete} incomplete, ${logs.wrongDecision} wrong decisions, ${logs.leaked} keys leaked`,
  );
  console.log(
    `Jobs since start: ${jobs.rows} in D1, ${jobs.lost} lost, ${jobs.stuck} stuck, ${unsettled} unsettled after ${SETTLE_MS / 1000} s; ${[...jobs.tally].map(([k, n]) => `${k} ${n}`).join(", ")}`,
  );
  console.log(
    `Authority: ${authority.campaigns} pool campaigns, ${authority.lostUpdates} with lost PATCHes; ${authority.created}/${run.createdCampaigns.size} created campaigns in D1`,
  );
  for (const e of run.serverErrors.slice(0, 10)) console.log(`5xx/no response: ${JSON.stringify(e)}`);
  for (const e of run.unexpected.slice(0, 10)) console.log(`unexpected status: ${JSON.stringify(e)}`);
  if (run.unexpected.length > 0)
    run.violations.push(`${run.unexpected.length} responses with an unexpected status`);
  if (run.serverErrors.length > 0)
    run.violations.push(`${run.serverErrors.length} 5xx responses or requests without a response`);
  console.log(
    run.violations.length === 0 ? "\nPASS: no violations." : `\nFAIL: ${run.violations.length} violations:`,
  );
  for (const v of run.violations) console.log(`  - ${v}`);
}

// ------------------------------------------------------------------ main

async function main() {
  execFileSync("node", ["scripts/seed.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  const tenant = readTenant();
  const org = tenant.organizationId;
  const keys = {
    partner: [tenant.keys.partner, ...mintKeys({ organizationId: org, tag: "SHARD", count: 8 })],
    customer: [
      tenant.keys.customer,
      ...mintKeys({ organizationId: org, tag: "CSTMR", count: 4, actorType: "user" }),
    ],
    readOnly: tenant.keys.partnerReadOnly,
    other: tenant.other.keys.partner,
  };
  const run = newRun(tenant, keys);
  const since = new Date(Date.now() - 1000).toISOString();
  console.log(
    `Load test: ${TOTAL_REQUESTS} requests, concurrency ${CONCURRENCY}, ${CAMPAIGNS} pool campaigns, hard stop ${HARD_STOP_MS / 1000} s; ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const api = await startApi({ seed: false });
  const sourceBefore = latestSourceChange();
  run.base = api.base;
  let outcome;
  try {
    await setup(run);
    const seconds = await mainPhase(run);
    const unsettled = await settle(run, [...run.jobIds], SETTLE_MS);
    const verdicts = checkVerdicts(run, await verdictEvents(run, since));
    const chain = (await send(run, { path: "/v1/audit-log/verify", key: keys.customer[0] })).body;
    if (chain?.valid !== true) run.violations.push(`audit chain verification: ${JSON.stringify(chain)}`);
    outcome = { seconds, verdicts, unsettled: unsettled.length, chain };
    if (latestSourceChange() > sourceBefore) {
      console.log("warning: files under src/ changed during the run, so wrangler dev reloaded the Worker.");
    }
  } finally {
    await api.stop();
  }
  outcome.logs = checkLogLines(run, api.output());
  // D1 is read after the server stopped, so nothing moves underneath.
  outcome.jobs = checkJobs(run, since);
  outcome.authority = checkAuthority(run);
  printSummary(run, outcome);
  process.exitCode = run.violations.length === 0 ? 0 : 1;
}

await main();
