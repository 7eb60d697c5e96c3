import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/domain/ids";
import { encodeCursor } from "../../src/http/cursor";
import { recordAudit } from "../../src/objects/audit-ledger";
import { expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditEvent, listAllAuditEvents, listAuditLog } from "./fixtures";

describe("GET /v1/audit-log pagination", () => {
  it("pages through events sharing one occurredAt in (occurredAt DESC, eventId ASC) order", async () => {
    const tenant = await createTenant();
    const early = "2025-03-01T09:00:00.000Z";
    const tied = "2025-03-01T10:00:00.000Z";
    const late = "2025-03-01T11:00:00.000Z";
    // Ids come out ascending; each time gets an interleaved slice of them, and the ledger
    // receives them in reverse, so neither insertion order nor seq matches the feed order.
    const ids = Array.from({ length: 25 }, () => newId("event"));
    const timeOf = (i: number) => (i % 5 === 0 ? late : i % 5 === 4 ? early : tied);
    const events = ids.map((eventId, i) => auditEvent(tenant, { eventId, occurredAt: timeOf(i) }));
    await recordAudit(env, [...events].reverse().slice(0, 12));
    await recordAudit(env, [...events].reverse().slice(12));

    const expected = [
      ...ids.filter((_, i) => timeOf(i) === late),
      ...ids.filter((_, i) => timeOf(i) === tied),
      ...ids.filter((_, i) => timeOf(i) === early),
    ];
    expect(expected).toHaveLength(25);
    for (const limit of [1, 4, 5, 7, 25, 200]) {
      const listed = await listAllAuditEvents(tenant, `limit=${limit}`);
      expect(
        listed.map((e) => e.eventId),
        `limit=${limit}`,
      ).toEqual(expected);
    }
  });

  it("fills each page to the limit and ends with nextCursor null, even when the last page is full", async () => {
    const tenant = await createTenant();
    const occurredAt = "2025-03-02T10:00:00.000Z";
    await recordAudit(
      env,
      Array.from({ length: 10 }, () => auditEvent(tenant, { occurredAt })),
    );
    const first = await listAuditLog(tenant, "limit=5");
    expect(first.status, first.text).toBe(200);
    expect(first.body.items, first.text).toHaveLength(5);
    expect(first.body.nextCursor, first.text).toEqual(expect.any(String));
    const second = await listAuditLog(tenant, `limit=5&cursor=${first.body.nextCursor}`);
    expect(second.status, second.text).toBe(200);
    expect(second.body.items, second.text).toHaveLength(5);
    expect(second.body.nextCursor, second.text).toBeNull();
  });

  it("does not shift or repeat items when newer events arrive while paging", async () => {
    const tenant = await createTenant();
    const older = Array.from({ length: 6 }, (_, i) =>
      auditEvent(tenant, { occurredAt: `2025-03-03T10:00:0${i}.000Z` }),
    );
    await recordAudit(env, older);
    const first = await listAuditLog(tenant, "limit=3");
    expect(first.status, first.text).toBe(200);
    await recordAudit(env, [auditEvent(tenant, { occurredAt: "2025-03-03T11:00:00.000Z" })]);
    const second = await listAuditLog(tenant, `limit=3&cursor=${first.body.nextCursor}`);
    expect(second.status, second.text).toBe(200);
    expect(
      [...first.body.items, ...second.body.items].map((e) => e.eventId),
      second.text,
    ).toEqual(older.map((e) => e.eventId).reverse());
    expect(second.body.nextCursor).toBeNull();
  });

  it("defaults to 50 per page and accepts 1 and 200", async () => {
    const tenant = await createTenant();
    await recordAudit(
      env,
      Array.from({ length: 60 }, () => auditEvent(tenant)),
    );
    const byDefault = await listAuditLog(tenant);
    expect(byDefault.status, byDefault.text).toBe(200);
    expect(byDefault.body.items).toHaveLength(50);
    const one = await listAuditLog(tenant, "limit=1");
    expect(one.body.items, one.text).toHaveLength(1);
    const max = await listAuditLog(tenant, "limit=200");
    expect(max.body.items, max.text).toHaveLength(60);
    expect(max.body.nextCursor).toBeNull();
  });
});

describe("GET /v1/audit-log items", () => {
  it("returns every field, and verdictId only when the event has one", async () => {
    const tenant = await createTenant();
    const verdictId = newId("verdict");
    const withVerdict = auditEvent(tenant, {
      eventType: "verdict",
      occurredAt: "2025-03-04T10:00:01.000Z",
      verdictId,
      data: { decision: "deny", nested: { axes: ["structural"], amount: 12.5 } },
    });
    const systemEvent = auditEvent(tenant, {
      eventType: "job.completed",
      occurredAt: "2025-03-04T10:00:00.000Z",
      requestId: null,
      apiKeyId: null,
      actorType: "system",
    });
    await recordAudit(env, [systemEvent, withVerdict]);
    const res = await listAuditLog(tenant);
    expect(res.status, res.text).toBe(200);
    expect(res.body, res.text).toEqual({
      items: [
        {
          eventId: withVerdict.eventId,
          eventType: "verdict",
          occurredAt: withVerdict.occurredAt,
          requestId: withVerdict.requestId,
          organizationId: tenant.organizationId,
          projectId: tenant.projectId,
          apiKeyId: tenant.keyIds.partner,
          actorType: "partner",
          verdictId,
          data: { decision: "deny", nested: { axes: ["structural"], amount: 12.5 } },
        },
        {
          eventId: systemEvent.eventId,
          eventType: "job.completed",
          occurredAt: systemEvent.occurredAt,
          requestId: null,
          organizationId: tenant.organizationId,
          projectId: tenant.projectId,
          apiKeyId: null,
          actorType: "system",
          data: {},
        },
      ],
      nextCursor: null,
    });
    expect(Object.keys(res.body.items[1] ?? {})).not.toContain("verdictId");
  });
});

describe("GET /v1/audit-log filters", () => {
  let tenant: TestTenant;
  const otherProjectId = newId("project");
  const otherKeyId = newId("apiKey");
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    tenant = await createTenant();
    const specs = {
      a: { eventType: "verdict", occurredAt: "2025-04-01T10:00:00.000Z" },
      b: { eventType: "verdict", occurredAt: "2025-04-01T11:00:00.000Z", projectId: otherProjectId },
      c: { eventType: "api_key.killed", occurredAt: "2025-04-01T12:00:00.000Z", projectId: null },
      d: { eventType: "verdict", occurredAt: "2025-04-01T13:00:00.000Z", apiKeyId: otherKeyId },
      e: { eventType: "job.failed", occurredAt: "2025-04-01T14:00:00.000Z", apiKeyId: null },
    };
    const events = Object.entries(specs).map(([name, spec]) => {
      const event = auditEvent(tenant, spec);
      ids[event.eventId] = name;
      return event;
    });
    await recordAudit(env, events);
  });

  const names = async (query: string) => {
    const events = await listAllAuditEvents(tenant, query);
    return events.map((e) => ids[e.eventId]);
  };

  it.each([
    ["no filter", "", ["e", "d", "c", "b", "a"]],
    ["eventType", "eventType=verdict", ["d", "b", "a"]],
    ["eventType with no match", "eventType=campaign.created", []],
    ["projectId", `projectId=${otherProjectId}`, ["b"]],
    ["apiKeyId", `apiKeyId=${otherKeyId}`, ["d"]],
    ["since (inclusive)", "since=2025-04-01T12:00:00.000Z", ["e", "d", "c"]],
    ["until (inclusive)", "until=2025-04-01T11:00:00Z", ["b", "a"]],
    ["since and until", "since=2025-04-01T11:00:00Z&until=2025-04-01T13:00:00Z", ["d", "c", "b"]],
    ["since with an offset", "since=2025-04-01T14:00:00%2B01:00", ["e", "d"]],
    ["until with an offset", "until=2025-04-01T05:00:00-06:00", ["b", "a"]],
    ["since a sub-millisecond after an event", "since=2025-04-01T13:00:00.0001Z", ["e"]],
    ["until a sub-millisecond after an event", "until=2025-04-01T10:00:00.0001Z", ["a"]],
    [
      "several filters together",
      "eventType=verdict&since=2025-04-01T10:30:00Z&until=2025-04-01T12:30:00Z",
      ["b"],
    ],
  ])("filters by %s", async (_label, query, expected) => {
    expect(await names(query), query).toEqual(expected);
  });

  it("filters by the tenant's own project and key", async () => {
    expect(await names(`projectId=${tenant.projectId}`)).toEqual(["e", "d", "a"]);
    expect(await names(`apiKeyId=${tenant.keyIds.partner}`)).toEqual(["c", "b", "a"]);
  });
});

describe("GET /v1/audit-log validation", () => {
  let tenant: TestTenant;
  beforeAll(async () => {
    tenant = await createTenant();
  });

  const issuePaths = (details: Record<string, unknown>) =>
    (details.issues as { path: string }[]).map((issue) => issue.path);

  it.each(["0", "201", "-1", "1.5", "abc", ""])("rejects limit=%s with 422", async (limit) => {
    const details = expectError(await listAuditLog(tenant, `limit=${limit}`), 422, "VALIDATION");
    expect(issuePaths(details)).toEqual(["limit"]);
  });

  it.each([
    ["not base64", "***"],
    ["base64 of non-JSON", btoa("not json")],
    ["JSON of the wrong shape", encodeCursor({ createdAt: "2025-01-01T00:00:00Z", id: "cmp_1" })],
    ["JSON of the wrong types", encodeCursor({ occurredAt: 5, eventId: null })],
    ["a JSON array", encodeCursor(["2025-01-01T00:00:00Z", "evt_1"])],
  ])("rejects a cursor that is %s with 422", async (_label, cursor) => {
    const details = expectError(await listAuditLog(tenant, `cursor=${cursor}`), 422, "VALIDATION");
    expect(issuePaths(details)).toEqual(["cursor"]);
  });

  it.each([
    ["since", "yesterday"],
    ["since", "2025-13-01T00:00:00Z"],
    ["since", "2025-04-01"],
    ["until", "2025-04-01T10:00:00"],
    ["until", "1712000000"],
  ])("rejects %s=%s with 422", async (name, value) => {
    const details = expectError(await listAuditLog(tenant, `${name}=${value}`), 422, "VALIDATION");
    expect(issuePaths(details)).toEqual([name]);
  });

  it("rejects until before since", async () => {
    const res = await listAuditLog(tenant, "since=2025-04-02T00:00:00Z&until=2025-04-01T00:00:00Z");
    expect(issuePaths(expectError(res, 422, "VALIDATION"))).toEqual(["until"]);
  });

  it.each(["projectId=nope", "apiKeyId=prj_01JD2V4W3X5Y6Z7A8B9C0D1E2F", "eventType="])(
    "rejects the malformed filter %s with 422",
    async (query) => {
      const details = expectError(await listAuditLog(tenant, query), 422, "VALIDATION");
      expect(issuePaths(details)).toEqual([query.split("=")[0]]);
    },
  );

  it("lists every failing field at once", async () => {
    const details = expectError(
      await listAuditLog(tenant, "limit=0&since=soon&projectId=nope"),
      422,
      "VALIDATION",
    );
    expect(issuePaths(details).sort()).toEqual(["limit", "projectId", "since"]);
  });
});
