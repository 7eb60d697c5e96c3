import { describe, expect, it } from "vitest";
import type { ChainedAuditEvent } from "../../src/domain/audit-chain";
import { endpointWants, webhookEventsFor } from "../../src/webhooks/catalogue";

const audit = (eventType: string, data: Record<string, unknown> = {}, seq = 7): ChainedAuditEvent => ({
  eventId: "evt_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
  eventType,
  occurredAt: "2026-12-01T10:00:00.000Z",
  requestId: null,
  organizationId: "org_1",
  projectId: "prj_1",
  apiKeyId: null,
  actorType: "system",
  verdictId: null,
  data,
  seq,
  prevHash: "0",
  hash: "1",
});

const types = (e: ChainedAuditEvent) => webhookEventsFor(e).map((w) => w.type);

describe("webhook events derived from audit events", () => {
  it("maps today's audit types onto the catalogue", () => {
    const table: [string, Record<string, unknown>, string[]][] = [
      ["job.completed", { kind: "ads_update_budget", campaignId: "cmp_1" }, ["job.completed"]],
      [
        "job.completed",
        { kind: "ads_pause_campaign", campaignId: "cmp_1" },
        ["job.completed", "campaign.status_changed"],
      ],
      [
        "job.failed",
        { kind: "ads_create_campaign", campaignId: "cmp_1" },
        ["job.failed", "campaign.status_changed"],
      ],
      ["job.failed", { kind: "ads_update_budget", campaignId: "cmp_1" }, ["job.failed"]],
      ["pending.created", { actionType: "update_budget" }, ["pending_action.created"]],
      ["pending.approved", {}, ["pending_action.approved"]],
      [
        "pending.rejected",
        { actionType: "create_campaign", campaignId: "cmp_1" },
        ["pending_action.rejected", "campaign.status_changed"],
      ],
      ["pending.expired", { actionType: "pause_campaign", campaignId: "cmp_1" }, ["pending_action.expired"]],
      ["authority.changed", {}, ["authority.changed"]],
      ["defaults.changed", {}, ["defaults.changed"]],
      ["api_key.killed", {}, ["api_key.killed"]],
      ["verdict", { decision: "deny" }, []],
      ["job.retrying", {}, []],
      ["auth.failed", {}, []],
      ["campaign.created", {}, []],
    ];
    for (const [eventType, data, expected] of table)
      expect(types(audit(eventType, data)), eventType).toEqual(expected);
  });

  it("carries the change, the audit event id and a resource version", () => {
    const [completed, status] = webhookEventsFor(
      audit("job.completed", { kind: "ads_delete_campaign", campaignId: "cmp_1", jobId: "job_1" }, 42),
    );
    expect(completed).toEqual({
      type: "job.completed",
      createdAt: "2026-12-01T10:00:00.000Z",
      organizationId: "org_1",
      projectId: "prj_1",
      data: {
        kind: "ads_delete_campaign",
        campaignId: "cmp_1",
        jobId: "job_1",
        auditEventId: "evt_01JD2V4W3X5Y6Z7A8B9C0D1E2F",
        resourceVersion: 42,
      },
    });
    expect(status?.data).toMatchObject({
      campaignId: "cmp_1",
      status: "deleted",
      jobId: "job_1",
      resourceVersion: 42,
    });
    const [versioned] = webhookEventsFor(audit("authority.changed", { version: 3 }, 99));
    expect(versioned?.data.resourceVersion).toBe(3);
  });

  it("an endpoint takes its subscribed types, of its project only", () => {
    const event = { type: "job.completed" as const, projectId: "prj_1" };
    expect(endpointWants({ events: ["*"], projectId: null }, event)).toBe(true);
    expect(endpointWants({ events: ["job.completed"], projectId: "prj_1" }, event)).toBe(true);
    expect(endpointWants({ events: ["job.failed"], projectId: null }, event)).toBe(false);
    expect(endpointWants({ events: ["*"], projectId: "prj_2" }, event)).toBe(false);
  });
});
