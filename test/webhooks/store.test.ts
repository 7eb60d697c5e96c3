import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/domain/ids";
import { auditLedger } from "../../src/objects/audit-ledger";
import { WebhookStore } from "../../src/webhooks/store";

describe("webhook store", () => {
  it("forgets settled deliveries past the cut-off and keeps pending ones", async () => {
    const stub = auditLedger(env, newId("organization"));
    await runInDurableObject(stub, (_instance, state) => {
      const store = new WebhookStore(state.storage.sql);
      const { endpoint } = store.createEndpoint(
        {
          url: "https://hooks.example.com/s",
          events: ["*"],
          description: null,
          projectId: null,
          mode: "test",
        },
        new Date().toISOString(),
      );
      const draft = {
        type: "test.ping" as const,
        createdAt: new Date().toISOString(),
        organizationId: "org_x",
        projectId: null,
        data: {},
      };
      store.recordEvents([draft, draft], Date.now());
      const [first, second] = store.listDeliveries(endpoint.endpointId, null, 10);
      if (!first || !second) throw new Error("no deliveries");
      const plan = store.startAttempt(first.deliveryId, new Date());
      expect(plan?.attempt).toBe(1);
      store.finishAttempt(first.deliveryId, 1, { responseStatus: 204, error: null }, new Date(), 1);
      expect(store.getDelivery(first.deliveryId)?.status).toBe("delivered");
      store.forgetSettled(Date.now() + 1000);
      expect(store.getDelivery(first.deliveryId)).toBeNull();
      expect(store.getDelivery(second.deliveryId)?.status).toBe("pending");
      expect(store.replay(first.deliveryId, Date.now())).toBeNull();
    });
  });

  it("ignores an answer for an attempt that is not the current one", async () => {
    const stub = auditLedger(env, newId("organization"));
    await runInDurableObject(stub, (_instance, state) => {
      const store = new WebhookStore(state.storage.sql);
      const { endpoint } = store.createEndpoint(
        {
          url: "https://hooks.example.com/s",
          events: ["*"],
          description: null,
          projectId: null,
          mode: "test",
        },
        new Date().toISOString(),
      );
      store.recordEvents(
        [
          {
            type: "test.ping",
            createdAt: new Date().toISOString(),
            organizationId: "o",
            projectId: null,
            data: {},
          },
        ],
        Date.now(),
      );
      const [d] = store.listDeliveries(endpoint.endpointId, null, 1);
      if (!d) throw new Error("no delivery");
      store.startAttempt(d.deliveryId, new Date());
      store.startAttempt(d.deliveryId, new Date());
      store.finishAttempt(d.deliveryId, 1, { responseStatus: 200, error: null }, new Date(), 1);
      expect(store.getDelivery(d.deliveryId)).toMatchObject({ status: "pending", attempts: 2 });
      store.finishAttempt(d.deliveryId, 2, { responseStatus: 500, error: "HTTP 500" }, new Date(), 1);
      expect(store.getDelivery(d.deliveryId)).toMatchObject({ status: "pending", lastResponseStatus: 500 });
      // The ladder has six waits: the seventh failed attempt is the last.
      for (let attempt = 3; attempt <= 7; attempt++) {
        expect(store.startAttempt(d.deliveryId, new Date())?.attempt).toBe(attempt);
        store.finishAttempt(d.deliveryId, attempt, { responseStatus: 503, error: "HTTP 503" }, new Date(), 1);
      }
      expect(store.getDelivery(d.deliveryId)).toMatchObject({
        status: "failed",
        attempts: 7,
        nextAttemptAt: null,
      });
      expect(store.getEndpoint(endpoint.endpointId)?.consecutiveFailures).toBe(1);
    });
  });
});
