import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/domain/ids";
import { recordAudit } from "../../src/objects/audit-ledger";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { auditEvent, listAllAuditEvents, storedChain, verifyAuditLog } from "./fixtures";

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function expectIntactChain(tenant: TestTenant, count: number) {
  const chain = await storedChain(tenant.organizationId);
  expect(
    chain.map((row) => row.seq),
    "seqs",
  ).toEqual(range(count));
  expect(new Set(chain.map((row) => row.id)).size).toBe(count);
  const res = await verifyAuditLog(tenant);
  expect(res.body, res.text).toEqual({ valid: true, events: count, headHash: chain.at(-1)?.hash });
  return chain;
}

describe("audit ledger (the single writer of an organization's chain)", () => {
  it("keeps the chain gapless under 50 concurrent single-event writers", async () => {
    const tenant = await createTenant();
    const events = range(50).map((i) => auditEvent(tenant, { data: { writer: i } }));
    await Promise.all(events.map((event) => recordAudit(env, [event])));
    const chain = await expectIntactChain(tenant, 50);
    expect(new Set(chain.map((row) => row.id))).toEqual(new Set(events.map((e) => e.eventId)));
  });

  it("keeps the chain gapless and each batch contiguous under many campaign outboxes flushing and redelivering at once", async () => {
    const tenant = await createTenant();
    // 20 campaigns, each flushing 3 outbox batches of 3 events; every batch is also
    // redelivered concurrently, as a campaign's alarm would after a lost acknowledgement.
    const batches = range(20).flatMap(() => {
      const campaignId = newId("campaign");
      return range(3).map((flush) =>
        range(3).map((n) =>
          auditEvent(tenant, { eventType: "campaign.test", data: { campaignId, flush, n } }),
        ),
      );
    });
    await Promise.all([...batches, ...batches].map((batch) => recordAudit(env, batch)));
    const chain = await expectIntactChain(tenant, 180);
    const seqOf = new Map(chain.map((row) => [row.id, row.seq]));
    for (const batch of batches) {
      const seqs = batch.map((e) => seqOf.get(e.eventId) ?? -1);
      const first = seqs[0] ?? -1;
      expect(seqs, "a batch's events sit together, in order").toEqual([first, first + 1, first + 2]);
    }
  });

  it("keeps two organizations' chains independent when they write at the same time", async () => {
    const [first, second] = await Promise.all([createTenant(), createTenant()]);
    await Promise.all(
      range(30).map((i) => recordAudit(env, [auditEvent(i % 2 ? first : second, { data: { i } })])),
    );
    await expectIntactChain(first, 15);
    await expectIntactChain(second, 15);
  });

  it("appends a redelivered event only once", async () => {
    const tenant = await createTenant();
    const [a, b, c] = range(3).map(() => auditEvent(tenant));
    if (!a || !b || !c) throw new Error("fixture");
    await recordAudit(env, [a, b]);
    await recordAudit(env, [a, b]);
    await recordAudit(env, [b, c, c]);
    const chain = await expectIntactChain(tenant, 3);
    expect(chain.map((row) => row.id)).toEqual([a.eventId, b.eventId, c.eventId]);
  });

  it("appends one outbox flush of more than 100 events", async () => {
    const tenant = await createTenant();
    const events = range(150).map((i) => auditEvent(tenant, { data: { i } }));
    await recordAudit(env, events);
    await recordAudit(env, events);
    await expectIntactChain(tenant, 150);
  });

  it("hashes what it stores, whatever the caller's object held", async () => {
    const tenant = await createTenant();
    const at = new Date("2025-05-01T10:00:00.000Z");
    const loose = {
      ...auditEvent(tenant),
      // Fields the row has no column for, values that JSON stores differently, an absent optional.
      campaignRecord: { id: newId("campaign") },
      projectId: undefined,
      data: { at, skipped: undefined, list: [1, undefined] },
    } as unknown as ReturnType<typeof auditEvent>;
    await recordAudit(env, [loose]);
    await expectIntactChain(tenant, 1);
    const [listed] = await listAllAuditEvents(tenant, "limit=10");
    expect(listed, JSON.stringify(listed)).toMatchObject({
      projectId: null,
      data: { at: "2025-05-01T10:00:00.000Z", list: [1, null] },
    });
    expect(listed).not.toHaveProperty("campaignRecord");
  });
});
