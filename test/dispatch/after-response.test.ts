import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { findFresh } from "../../src/db/fresh";
import { newId } from "../../src/domain/ids";
import { api } from "../helpers/http";
import { createCampaign } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";

describe("delivering the outbox after answering (the deployed default)", () => {
  it("answers from the object at once, and D1 and the audit log catch up", async () => {
    const t = await createTenant();
    const c = await createCampaign(t, "meta", { wait: false });
    const stub = env.CAMPAIGNS.get(env.CAMPAIGNS.idFromName(c.campaignId));
    await runInDurableObject(stub, (instance) => {
      const internals = instance as unknown as { env: typeof env };
      internals.env = { ...internals.env, OUTBOX_DELIVERY: "after_response" };
    });
    const path = `/v1/projects/${t.projectId}/ads/meta/campaigns/${c.campaignId}`;
    const patch = await api("PATCH", `${path}/authority`, {
      key: t.keys.partner,
      body: { authority: { tactical: "off" } },
    });
    expect(patch.status, patch.text).toBe(200);
    // Reads of the campaign and its authority come from the object: never behind the write.
    const authority = await api("GET", `${path}/authority`, { key: t.keys.partner });
    expect(authority.body.authority).toMatchObject({ tactical: "off" });
    const campaign = await api("GET", path, { key: t.keys.partner });
    expect(campaign.body.authority).toMatchObject({ tactical: "off" });
    // D1's copy and the verdict's audit row follow within moments.
    const deadline = Date.now() + 5_000;
    let copied = false;
    let audited = false;
    while ((!copied || !audited) && Date.now() < deadline) {
      const row = await env.DB.prepare("SELECT authority FROM campaigns WHERE id = ?")
        .bind(c.campaignId)
        .first<{ authority: string }>();
      copied = (JSON.parse(row?.authority ?? "{}") as { tactical?: string }).tactical === "off";
      const verdict = await env.DB.prepare("SELECT id FROM audit_events WHERE verdict_id = ?")
        .bind(patch.body.verdictId)
        .first();
      audited = verdict !== null;
      if (!copied || !audited) await new Promise((r) => setTimeout(r, 25));
    }
    expect(copied, "campaign row copied to D1").toBe(true);
    expect(audited, "verdict in the audit log").toBe(true);
  });

  it("lookups of a fresh id wait briefly for its D1 copy; old and foreign ids answer at once", async () => {
    let calls = 0;
    const fresh = newId("job");
    const found = await findFresh(fresh, async () => (++calls >= 3 ? { id: fresh } : null));
    expect(found).toEqual({ id: fresh });
    expect(calls).toBe(3);

    const old = "job_01JD0000000000000000000001";
    let oldCalls = 0;
    const countOld = async () => {
      oldCalls += 1;
      return null;
    };
    expect(await findFresh(old, countOld)).toBeNull();
    expect(oldCalls).toBe(1);

    let foreignCalls = 0;
    const countForeign = async () => {
      foreignCalls += 1;
      return null;
    };
    expect(await findFresh("job_nonsense", countForeign)).toBeNull();
    expect(foreignCalls).toBe(1);
  });
});
