// `npm run bench` (SPEC §8): starts the API locally, drives each endpoint with autocannon for
// a fixed time, and prints p50/p99 latency, throughput and the p50 ratio to its floor, served
// by the same Worker in the same run: reads against `GET /healthz`, writes against
// `POST /healthz/write` with a body of the same size. Each endpoint alternates with its floor
// in paired rounds (the ratio is the rounds' median); the floors also run on their own before
// and after the rest, so drift shows.
// Then a per-stage breakdown of authority PATCHes and creates (Server-Timing), and the
// bundle size (raw, gzip) and startup time of the Worker. Each run starts on a quiet runtime:
// the bench first waits for the jobs and deliveries the run before it left (see `settle`).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { idOfKey, mintKeys, readTenant } from "./extra-keys.mjs";
import { startApi } from "./serve.mjs";

/** The loaded run the targets are judged on, then an unloaded one (latency without queueing). */
const CONNECTION_LEVELS = [10, 1];
const WARMUP_SECONDS = 1;
/** Floors before and after a level: printed so drift within the run shows. */
const DURATION_SECONDS = 6;
/**
 * Each endpoint is judged in paired rounds: its floor for SLICE_SECONDS, then the endpoint for
 * SLICE_SECONDS, ROUNDS times; its ratio is the median of the rounds' p50 ratios, so drift of
 * the machine over the run (other load, heap growth) moves floor and endpoint alike.
 */
const ROUNDS = 3;
const SLICE_SECONDS = 2;
const BENCH_KEYS = 16;
const TARGET_CAMPAIGNS = 20;
const ENDPOINTS = ["whoami", "authority GET", "job GET", "authority PATCH", "create campaign"];
/** SPEC §8 targets: p50 at most this many times the floor's p50. */
const TARGETS = { "authority GET": 1.3, "authority PATCH": 1.6, "create campaign": 2 };
/** Which floor each endpoint is judged against. */
const FLOOR_OF = {
  whoami: "read floor",
  "authority GET": "read floor",
  "job GET": "read floor",
  "authority PATCH": "write floor (PATCH body)",
  "create campaign": "write floor (create body)",
};
const FLOORS = ["read floor", "write floor (PATCH body)", "write floor (create body)"];
const BREAKDOWN_SAMPLES = 25;
/** #18 item 4: serialized authority changes per second on one campaign object, inside workerd. */
const SERIAL_CHANGES = 1000;
const SERIAL_TARGET_PER_SECOND = 1000;

const json = (key, body) => ({
  headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
  body: JSON.stringify(body),
});

const createBody = (tenant, name) => ({
  adAccountId: tenant.adAccounts.meta,
  name,
  outcome: "conversions",
  dailyBudgetCents: 5000,
  campaignManagementMode: "autopilot",
  creativeMode: "autopilot",
});

async function createTargets(base, tenant, keys) {
  const targets = [];
  for (let i = 0; i < TARGET_CAMPAIGNS; i++) {
    const res = await fetch(`${base}/v1/projects/${tenant.projectId}/ads/meta/campaigns`, {
      method: "POST",
      ...json(keys[i % keys.length], createBody(tenant, `bench target ${i}`)),
    });
    const body = await res.json();
    if (res.status !== 202) throw new Error(`create target: ${res.status} ${JSON.stringify(body)}`);
    targets.push({ campaignId: body.campaignId, jobId: body.jobId });
  }
  return targets;
}

/** Each endpoint maps a request counter to one request; keys and targets rotate with it. */
function endpoints(tenant, keys, targets) {
  const key = (n) => keys[n % keys.length];
  const target = (n) => targets[Math.floor(n / keys.length) % targets.length];
  const auth = (n) => ({ authorization: `Bearer ${key(n)}` });
  const campaigns = `/v1/projects/${tenant.projectId}/ads/meta/campaigns`;
  const patchBody = (n) => ({ authority: { tactical: n % 2 ? "draft" : "auto" } });
  const createRequestBody = (n) => createBody(tenant, `bench ${Date.now()} ${n}`);
  return {
    "read floor": () => ({ method: "GET", path: "/healthz", headers: {} }),
    "write floor (PATCH body)": (n) => writeFloor(JSON.stringify(patchBody(n)).length),
    "write floor (create body)": (n) => writeFloor(JSON.stringify(createRequestBody(n)).length),
    whoami: (n) => ({ method: "GET", path: "/v1/whoami", headers: auth(n) }),
    "authority GET": (n) => ({
      method: "GET",
      path: `${campaigns}/${target(n).campaignId}/authority`,
      headers: auth(n),
    }),
    "job GET": (n) => ({ method: "GET", path: `/v1/jobs/${target(n).jobId}`, headers: auth(n) }),
    // Alternates the mode, so every PATCH is a real change with its own verdict.
    "authority PATCH": (n) => ({
      method: "PATCH",
      path: `${campaigns}/${target(n).campaignId}/authority`,
      ...json(key(n), patchBody(n)),
    }),
    // No Idempotency-Key: each request creates its own campaign.
    "create campaign": (n) => ({
      method: "POST",
      path: campaigns,
      ...json(key(n), createRequestBody(n)),
    }),
  };
}

/** A JSON body of exactly `length` bytes for the write floor, which reads and parses it. */
function writeFloor(length) {
  const empty = JSON.stringify({ pad: "" }).length;
  const body = JSON.stringify({ pad: "x".repeat(Math.max(0, length - empty)) });
  return { method: "POST", path: "/healthz/write", headers: { "content-type": "application/json" }, body };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const median = (values) =>
  percentile(
    [...values].sort((x, y) => x - y),
    50,
  );

/**
 * One autocannon run. Latencies are collected from 2xx responses only, at full precision
 * (autocannon's own histogram rounds to whole milliseconds, too coarse for a ~1 ms floor).
 */
async function measure(base, makeRequest, duration, connections) {
  let n = 0;
  const latencies = [];
  const run = autocannon({
    url: base,
    connections,
    duration,
    excludeErrorStats: true,
    requests: [{ setupRequest: (request) => ({ ...request, ...makeRequest(n++) }) }],
  });
  run.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await run;
  latencies.sort((a, b) => a - b);
  const other = Object.entries(result.statusCodeStats)
    .filter(([code]) => !code.startsWith("2"))
    .map(([code, { count }]) => `${code}×${count}`);
  if (result.errors) other.push(`errors×${result.errors}`);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: latencies.length / result.duration,
    ok: latencies.length,
    nonOk: result.non2xx + result.errors,
    nonOkDetail: other.join(" "),
  };
}

/** `GET /healthz` p50 over sequential requests on an idle runtime, measured once at start. */
let idleFloorMs = null;
const SETTLE_SAMPLES = 15;
const SETTLE_LIMIT_MS = 60_000;
const SETTLE_FACTOR = 1.25;
/** How long the bench waited in `settle`, in all (printed at the end). */
let settledMs = 0;

async function sequentialFloorMs(base) {
  const times = [];
  for (let i = 0; i < SETTLE_SAMPLES; i++) {
    const started = performance.now();
    await (await fetch(`${base}/healthz`)).text();
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Waits until the work a run left behind (jobs, outbox deliveries, D1 passes) is done, so each
 * run starts on a quiet runtime and is not billed for the one before: until sequential
 * `/healthz` answers are back near their idle p50 (at most a minute).
 */
async function settle(base) {
  if (idleFloorMs === null) {
    await new Promise((r) => setTimeout(r, 3000));
    idleFloorMs = await sequentialFloorMs(base);
    return;
  }
  const started = Date.now();
  while (Date.now() - started < SETTLE_LIMIT_MS) {
    if ((await sequentialFloorMs(base)) <= idleFloorMs * SETTLE_FACTOR + 0.5) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  settledMs += Date.now() - started;
}

async function bench(base, makeRequest, connections) {
  await settle(base);
  await measure(base, makeRequest, WARMUP_SECONDS, connections);
  return measure(base, makeRequest, DURATION_SECONDS, connections);
}

const fmt = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "-");

function printTable(rows) {
  const header = [
    "endpoint",
    "p50 ms",
    "p99 ms",
    "req/s",
    "2xx",
    "non-2xx",
    "judged against",
    "floor p50",
    "p50/floor",
    "target",
  ];
  const lines = rows.map(({ name, r, floor, ratio }) => {
    const target = TARGETS[name];
    const verdict = target ? `≤ ${target}× ${ratio <= target ? "PASS" : "MISS"}` : "";
    return [
      name,
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.rps, 0),
      r.ok,
      r.nonOk,
      floor ?? "",
      floor ? fmt(r.floorP50) : "",
      floor ? `${fmt(ratio)}×` : "",
      verdict,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  for (const line of [header, ...lines]) {
    console.log(line.map((cell, i) => String(cell).padEnd(widths[i])).join("  "));
  }
  for (const { name, r } of rows) if (r.nonOk > 0) console.log(`  ${name} non-2xx: ${r.nonOkDetail}`);
}

/** One endpoint in paired rounds against its floor (see ROUNDS). */
async function paired(base, plan, name, connections) {
  const floor = FLOOR_OF[name];
  await settle(base);
  await measure(base, plan[name], WARMUP_SECONDS, connections);
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) {
    await settle(base);
    const f = await measure(base, plan[floor], SLICE_SECONDS, connections);
    const e = await measure(base, plan[name], SLICE_SECONDS, connections);
    rounds.push({ f, e });
  }
  const es = rounds.map((x) => x.e);
  return {
    name,
    floor,
    ratio: median(rounds.map((x) => x.e.p50 / x.f.p50)),
    r: {
      p50: median(es.map((e) => e.p50)),
      p99: Math.max(...es.map((e) => e.p99)),
      rps: es.reduce((sum, e) => sum + e.rps, 0) / es.length,
      ok: es.reduce((sum, e) => sum + e.ok, 0),
      nonOk: es.reduce((sum, e) => sum + e.nonOk, 0),
      nonOkDetail: es
        .map((e) => e.nonOkDetail)
        .filter(Boolean)
        .join(" "),
      floorP50: median(rounds.map((x) => x.f.p50)),
    },
  };
}

/** Every endpoint at one concurrency in paired rounds, between two runs of every floor. */
async function benchLevel(base, plan, connections) {
  const before = {};
  for (const floor of FLOORS) before[floor] = await bench(base, plan[floor], connections);
  const measured = [];
  for (const name of ENDPOINTS) measured.push(await paired(base, plan, name, connections));
  const after = {};
  for (const floor of FLOORS) after[floor] = await bench(base, plan[floor], connections);
  console.log(
    `\n${connections} connection(s); floors ${WARMUP_SECONDS} s warm-up + ${DURATION_SECONDS} s before and after; each endpoint ${WARMUP_SECONDS} s warm-up, then ${ROUNDS} rounds of its floor ${SLICE_SECONDS} s + itself ${SLICE_SECONDS} s (ratio: median of the rounds'; p50: median; p99: worst):`,
  );
  printTable([
    ...FLOORS.map((f) => ({ name: `${f} (before)`, r: before[f] })),
    ...measured,
    ...FLOORS.map((f) => ({ name: `${f} (after)`, r: after[f] })),
  ]);
}

/** Median of each Server-Timing stage over sequential requests (SERVER_TIMING=1). */
async function breakdown(base, name, makeRequest) {
  const stages = new Map();
  const client = [];
  for (let n = 0; n < BREAKDOWN_SAMPLES; n++) {
    const { method, path, headers, body } = makeRequest(1_000_000 + n);
    const started = performance.now();
    const res = await fetch(`${base}${path}`, { method, headers, body });
    await res.arrayBuffer();
    client.push(performance.now() - started);
    if (res.status >= 300) throw new Error(`${name} for the breakdown answered ${res.status}`);
    for (const entry of (res.headers.get("server-timing") ?? "").split(",")) {
      const [metric, ...params] = entry.trim().split(";");
      const dur = params.find((p) => p.trim().startsWith("dur="));
      if (!metric || !dur) continue;
      stages.set(metric, [...(stages.get(metric) ?? []), Number(dur.trim().slice(4))]);
    }
  }
  const order = ["auth", "guard", "body", "idempotency", "lookups", "object"];
  const parts = order.filter((s) => stages.has(s)).map((s) => [s, median(stages.get(s))]);
  const total = stages.has("total") ? median(stages.get("total")) : Number.NaN;
  const rest = total - parts.reduce((sum, [, v]) => sum + v, 0);
  const cells = [...parts, ["answer (rest of total)", rest], ["total in the Worker", total]];
  console.log(
    `  ${name}: ${cells.map(([s, v]) => `${s} ${fmt(v)}`).join(" · ")} · client-observed ${fmt(median(client))} ms`,
  );
}

/**
 * The in-workerd probe (src/routes/system/bench.ts): one request whose Worker sends
 * SERIAL_CHANGES authority changes one after another straight to one campaign object, each
 * answered once durable, with its verdict. Best of two runs (the first warms the object).
 */
async function serialChanges(base, tenant, keys, campaignId) {
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${base}/healthz/bench/authority-serial`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        organizationId: tenant.organizationId,
        projectId: tenant.projectId,
        layerId: tenant.layerId,
        campaignId,
        apiKeyId: idOfKey(keys[0]),
        count: SERIAL_CHANGES,
      }),
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`serial changes probe: ${res.status} ${JSON.stringify(body)}`);
    runs.push(body);
  }
  return runs;
}

/**
 * The probe runs twice: on a fresh runtime before the HTTP runs, and again after them, when
 * the one isolate has served minutes of traffic (it is markedly slower then). PASS needs both.
 */
function printSerial(fresh, loaded) {
  const best = (runs) => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const line = (label, runs) => {
    const b = best(runs);
    return `${label}: ${b.count} changes, ${b.verdicts} verdicts, ${b.ms} ms → ${fmt(b.perSecond, 0)}/s (runs: ${runs.map((r) => `${fmt(r.perSecond, 0)}/s`).join(", ")})`;
  };
  const pass = [fresh, loaded].every((runs) => best(runs).perSecond >= SERIAL_TARGET_PER_SECOND);
  console.log(
    `\nSerialized authority changes on one campaign object, inside workerd — ${line("fresh runtime", fresh)}; ${line("after the HTTP runs", loaded)}; target ≥ ${SERIAL_TARGET_PER_SECOND}/s on both ${pass ? "PASS" : "MISS"}`,
  );
}

/** The bundle `wrangler deploy` would upload (raw and gzip) and its startup time. */
function bundleFigures() {
  const outdir = mkdtempSync(join(os.tmpdir(), "bench-bundle-"));
  try {
    execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const code = readFileSync(join(outdir, "index.js"));
    const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
    const size = `${kib(code.byteLength)} raw, ${kib(gzipSync(code).byteLength)} gzip`;
    const profile = join(outdir, "startup.cpuprofile");
    execFileSync("wrangler", ["check", "startup", "--outfile", profile], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const { startTime, endTime } = JSON.parse(readFileSync(profile, "utf8"));
    return `${size}; startup ${((endTime - startTime) / 1000).toFixed(1)} ms (wrangler check startup, this machine)`;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/**
 * Unless told otherwise, run on fresh state in tmpfs: the local D1 and Durable Object SQLite
 * files sync every write to disk on workerd's one thread, which measures this machine's disk
 * rather than the API. `BENCH_DISK=1` keeps wrangler's default on-disk state instead.
 */
let scratchState = null;

function chooseStorage() {
  if (process.env.WRANGLER_PERSIST_TO) return `state in ${process.env.WRANGLER_PERSIST_TO}`;
  if (process.env.BENCH_DISK === "1" || !existsSync("/dev/shm")) return "state on disk (.wrangler/state)";
  process.env.WRANGLER_PERSIST_TO = mkdtempSync("/dev/shm/ads-bench-");
  scratchState = process.env.WRANGLER_PERSIST_TO;
  return `fresh state in tmpfs (${process.env.WRANGLER_PERSIST_TO}); BENCH_DISK=1 measures on disk`;
}

async function main() {
  const storage = chooseStorage();
  console.log(`Storage: ${storage}.`);
  execFileSync("node", ["scripts/seed.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  const tenant = readTenant();
  const keys = mintKeys({ organizationId: tenant.organizationId, tag: "BENCH", count: BENCH_KEYS });
  // SERVER_TIMING=1 adds the per-stage header to every answer (floors included) for the breakdown.
  const api = await startApi({ seed: false, vars: { SERVER_TIMING: "1" } });
  try {
    const targets = await createTargets(api.base, tenant, keys);
    await settle(api.base);
    const freshSerial = await serialChanges(api.base, tenant, keys, targets[1].campaignId);
    const plan = endpoints(tenant, keys, targets);
    console.log(
      `Rate limits: requests rotate over ${BENCH_KEYS} bench keys (partner tier: ${BENCH_KEYS * 6000} reads and ` +
        `${BENCH_KEYS * 3000} writes a minute together) and ${TARGET_CAMPAIGNS} campaigns; latency counts 2xx only.`,
    );
    console.log(`Machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model}; load average ${loadAverage()}.`);
    for (const connections of CONNECTION_LEVELS) await benchLevel(api.base, plan, connections);
    console.log(
      `\nPer-stage breakdown, median of ${BREAKDOWN_SAMPLES} sequential requests (Server-Timing, ms; Workers' clocks advance only across I/O, so each stage is its I/O wait; the storage commit is inside the object call):`,
    );
    await settle(api.base);
    await breakdown(api.base, "authority PATCH", plan["authority PATCH"]);
    await settle(api.base);
    await breakdown(api.base, "create campaign", plan["create campaign"]);
    await settle(api.base);
    printSerial(freshSerial, await serialChanges(api.base, tenant, keys, targets[0].campaignId));
    console.log(
      `\nBefore each run the bench waited for the runtime to go quiet (sequential /healthz p50 back within ${SETTLE_FACTOR}× + 0.5 ms of its idle ${fmt(idleFloorMs)} ms): ${fmt(settledMs / 1000, 1)} s in all.`,
    );
    console.log(`\nLoad average at the end: ${loadAverage()}.`);
  } finally {
    await api.stop();
    if (scratchState) rmSync(scratchState, { recursive: true, force: true });
  }
  console.log(`Bundle (wrangler deploy --dry-run): ${bundleFigures()}`);
}

await main();
