import { describe, expect, it } from "vitest";
import { api } from "../helpers/http";
import { createTenant } from "../helpers/tenant";
import { type ListedAuditEvent, listAuditLog } from "./fixtures";

describe("events the API records", () => {
  it("records a key kill once, naming the killer and the killed key", async () => {
    const tenant = await createTenant();
    const victim = await tenant.addKey();
    const kill = await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key: tenant.keys.partner });
    expect(kill.status, kill.text).toBe(200);
    const again = await api("POST", `/v1/api-keys/${victim.keyId}/kill`, { key: tenant.keys.partner });
    expect(again.status, again.text).toBe(200);

    const res = await listAuditLog(tenant, "eventType=api_key.killed");
    expect(res.status, res.text).toBe(200);
    expect(res.body.items, res.text).toEqual([
      {
        eventId: expect.stringMatching(/^evt_[0-9A-Z]{26}$/),
        eventType: "api_key.killed",
        occurredAt: expect.any(String),
        requestId: kill.headers.get("X-Request-Id"),
        organizationId: tenant.organizationId,
        projectId: null,
        apiKeyId: tenant.keyIds.partner,
        actorType: "partner",
        data: { killedApiKeyId: victim.keyId },
      },
    ]);
  });

  it("records a failed authentication of a known key", async () => {
    const tenant = await createTenant();
    const forged = tenant.keys.partner.replace(/_[0-9a-f]{64}$/, `_${"0".repeat(64)}`);
    expect(forged).not.toBe(tenant.keys.partner);
    const denied = await api("GET", "/v1/whoami", { key: forged });
    expect(denied.status, denied.text).toBe(401);

    // The failure is audited after the response (waitUntil), so give it a moment to land.
    let events: ListedAuditEvent[] = [];
    for (let attempt = 0; attempt < 50 && events.length === 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      const res = await listAuditLog(tenant, `eventType=auth.failed&apiKeyId=${tenant.keyIds.partner}`);
      expect(res.status, res.text).toBe(200);
      events = res.body.items;
    }
    expect(events).toEqual([
      {
        eventId: expect.stringMatching(/^evt_[0-9A-Z]{26}$/),
        eventType: "auth.failed",
        occurredAt: expect.any(String),
        requestId: denied.headers.get("X-Request-Id"),
        organizationId: tenant.organizationId,
        projectId: null,
        apiKeyId: tenant.keyIds.partner,
        actorType: "partner",
        data: { reason: "secret_mismatch", method: "GET", path: "/v1/whoami" },
      },
    ]);
  });
});
