import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "../helpers/http";
import { createCampaign } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";
import { receiver, receiverUrl, registerEndpoint, until } from "./fixtures";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => {
  server.resetHandlers();
  vi.restoreAllMocks();
});
afterAll(() => server.close());

describe("structured log lines", () => {
  it("one line per dispatch attempt and per webhook delivery, with ids and outcome, never the secret", async () => {
    const lines: Record<string, unknown>[] = [];
    const raw: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      raw.push(String(line));
      try {
        lines.push(JSON.parse(String(line)) as Record<string, unknown>);
      } catch {
        // not one of ours
      }
    });
    const tenant = await createTenant();
    const url = receiverUrl();
    receiver(server, url);
    const endpoint = await registerEndpoint(tenant, { url, events: ["job.completed"] });
    const c = await createCampaign(tenant, "meta");
    const delivery = await until("delivery line", () =>
      lines.find((l) => l.msg === "webhook.delivery" && l.endpointId === endpoint.endpointId),
    );
    expect(delivery).toMatchObject({
      organizationId: tenant.organizationId,
      deliveryId: expect.stringMatching(/^whd_/),
      eventId: expect.stringMatching(/^evt_/),
      eventType: "job.completed",
      attempt: 1,
      outcome: "delivered",
      responseStatus: 200,
      durationMs: expect.any(Number),
    });
    const attempt = lines.find((l) => l.msg === "dispatch.attempt" && l.jobId === c.jobId);
    expect(attempt).toMatchObject({
      campaignId: c.campaignId,
      platform: "meta",
      operation: "create_campaign",
      attempt: 1,
      outcome: "succeeded",
      platformCode: null,
      durationMs: expect.any(Number),
    });
    const secretBody = endpoint.secret.slice("whsec_".length);
    for (const line of raw) {
      expect(line).not.toContain(secretBody);
      expect(line).not.toContain(tenant.keys.partner);
    }
    // The endpoint's reads never show it either.
    const read = await api("GET", `/v1/webhook-endpoints/${endpoint.endpointId}`, {
      key: tenant.keys.customer,
    });
    expect(read.text).not.toContain(secretBody);
  });
});
