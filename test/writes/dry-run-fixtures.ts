/**
 * Fixtures for dry runs: send a write with `?dryRun=true`, capture everything a write could
 * change (D1 rows, the object's campaign and authority, the layer policy), and check that the
 * real call then does what the dry run said.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { SeedPlatform } from "../../src/db/tenant-seed";
import { type ApiResponse, api, expectError } from "../helpers/http";
import type { TestTenant } from "../helpers/tenant";
import { type Accepted, campaignPath, PENDING_ID, sleep } from "./fixtures";

export type DryRunAnswer = {
  dryRun: true;
  decision: "allow" | "queue" | "deny";
  axis: string | null;
  currentMode: string | null;
  reason?: string;
  noop?: true;
  requestedMode?: string;
  ceilingMode?: string;
};

export interface Call {
  method: string;
  path: string;
  body?: unknown;
  key?: string;
  headers?: Record<string, string>;
}

const withQuery = (path: string, query: string) => `${path}${path.includes("?") ? "&" : "?"}${query}`;

/** The call as a dry run; a 200 must be a dry-run answer. */
export async function dryRun(t: TestTenant, call: Call, value = "true"): Promise<ApiResponse<DryRunAnswer>> {
  const res = await api<DryRunAnswer>(call.method, withQuery(call.path, `dryRun=${value}`), {
    key: call.key ?? t.keys.partner,
    ...(call.body === undefined ? {} : { body: call.body }),
    ...(call.headers ? { headers: call.headers } : {}),
  });
  if (res.status === 200) expect(res.body.dryRun, res.text).toBe(true);
  return res;
}

export function real<T = Accepted>(t: TestTenant, call: Call) {
  return api<T>(call.method, call.path, {
    key: call.key ?? t.keys.partner,
    ...(call.body === undefined ? {} : { body: call.body }),
    ...(call.headers ? { headers: call.headers } : {}),
  });
}

/** Everything a write could leave behind, for the tenant and the given campaigns. */
export async function snapshot(t: TestTenant, campaigns: { id: string; platform: SeedPlatform }[] = []) {
  const count = async (table: string) =>
    (
      await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE organization_id = ?`)
        .bind(t.organizationId)
        .first<{ n: number }>()
    )?.n;
  const rows = {
    jobs: await count("jobs"),
    pending: await count("pending_actions"),
    audit: await count("audit_events"),
    campaigns: await count("campaigns"),
    policies: await env.DB.prepare(
      "SELECT platform, version FROM layer_policies WHERE layer_id = ? ORDER BY platform",
    )
      .bind(t.layerId)
      .all()
      .then((r) => r.results),
  };
  const objects = [];
  for (const c of campaigns) {
    const path = campaignPath(t, c.id, c.platform);
    const campaign = await api("GET", path, { key: t.keys.readOnly });
    const authority = await api("GET", `${path}/authority`, { key: t.keys.readOnly });
    objects.push({ campaign: campaign.body, authority: authority.body, etag: authority.headers.get("ETag") });
  }
  const defaults = [];
  for (const platform of ["meta", "tiktok", "apple"]) {
    const res = await api("GET", `/v1/projects/${t.projectId}/ads/${platform}/defaults`, {
      key: t.keys.readOnly,
    });
    defaults.push(res.headers.get("ETag"));
  }
  return { rows, objects, defaults };
}

/** Jobs of the tenant still on their way to a platform (queued, dispatching or retrying). */
async function jobsInFlight(t: TestTenant): Promise<number> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS n FROM jobs WHERE organization_id = ? AND status = 'running' AND coalesce(stage, '') <> 'awaiting_approval'",
  )
    .bind(t.organizationId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * A snapshot once background work (dispatch, outbox) has settled: no job in flight and two
 * equal reads in a row (equal reads alone can straddle a platform call on a busy machine).
 */
export async function settled(t: TestTenant, campaigns: { id: string; platform: SeedPlatform }[] = []) {
  let last = JSON.stringify(await snapshot(t, campaigns));
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    const next = JSON.stringify(await snapshot(t, campaigns));
    if (next === last && (await jobsInFlight(t)) === 0) return next;
    last = next;
  }
  throw new Error("the tenant's state never settled");
}

/**
 * Dry-runs the call (expecting 200 and `expected`), checks that nothing changed, then sends the
 * real call and checks it does what the dry run said. Returns the real answer.
 */
export async function dryThenReal(
  t: TestTenant,
  call: Call,
  expected: Partial<DryRunAnswer>,
  campaigns: { id: string; platform: SeedPlatform }[] = [],
): Promise<ApiResponse<Accepted>> {
  const before = await settled(t, campaigns);
  const dry = await dryRun(t, call);
  expect(dry.status, dry.text).toBe(200);
  expect(dry.body).toMatchObject({ dryRun: true, ...expected });
  if (!expected.noop) expect(dry.body.noop, dry.text).toBeUndefined();
  expect(JSON.stringify(await snapshot(t, campaigns)), "a dry run changed something").toBe(before);
  const res = await real(t, call);
  expectSameOutcome(dry.body, res);
  return res;
}

/** The real call did what the dry run said it would. */
export function expectSameOutcome(dry: DryRunAnswer, res: ApiResponse<Accepted>) {
  if (dry.decision === "deny") {
    const details = expectError(res, 403, "AUTHORITY_DENIED");
    expect(details.reason).toBe(dry.reason);
    return;
  }
  expect([200, 202], res.text).toContain(res.status);
  if (res.status === 200) return; // a policy change (authority, defaults): applied
  if (dry.noop) {
    expect(res.body.status, res.text).toBe("completed");
    expect(res.body.pendingId).toBeUndefined();
  } else if (dry.decision === "queue") {
    expect(res.body.pendingId, res.text).toMatch(PENDING_ID);
  } else {
    expect(res.body.pendingId, res.text).toBeUndefined();
  }
}

/** The same error (status, code, issues) from the dry run and the real call. */
export async function expectSameRefusal(t: TestTenant, call: Call, status: number, code: string) {
  const dry = await dryRun(t, call);
  const dryDetails = expectError(dry, status, code);
  const res = await real(t, call);
  const realDetails = expectError(res, status, code);
  const { verdictId: _a, ...dryRest } = dryDetails;
  const { verdictId: _b, ...realRest } = realDetails;
  expect(dryRest).toEqual(realRest);
}
