/**
 * Campaign objects judge writes from their own copy of the layer policy: the layer object
 * pushes every change to the campaign objects that subscribed, before the change answers.
 * So a policy change governs the very next write, whether the campaign object kept running,
 * was restarted before the change, or was restarted after it.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type CampaignObject, campaignObject } from "../../src/objects/campaign";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { campaignPath, liveCampaign, setDefaults, write } from "../writes/fixtures";

const cachedVersion = (campaignId: string) =>
  runInDurableObject(campaignObject(env, campaignId), (o: CampaignObject) => o.layers.version());

/** Ends the campaign object's instance: the next call starts a fresh one with empty memory. */
async function restart(campaignId: string) {
  await runInDurableObject(campaignObject(env, campaignId), (_o, state) => {
    state.abort("test: restart the campaign object");
  }).catch(() => undefined);
  expect(await cachedVersion(campaignId)).toBeNull();
}

async function layerVersion(t: TestTenant) {
  const res = await api("GET", `/v1/projects/${t.projectId}/ads/meta/defaults`, { key: t.keys.customer });
  expect(res.status, res.text).toBe(200);
  return Number(/"l(\d+)"/.exec(res.headers.get("ETag") ?? "")?.[1]);
}

const patchAuthority = (t: TestTenant, campaignId: string, tactical: string) =>
  api("PATCH", `${campaignPath(t, campaignId)}/authority`, {
    key: t.keys.partner,
    body: { authority: { tactical } },
  });

describe("the campaign object's copy of the layer policy", () => {
  let tenant: TestTenant;
  let campaignId: string;
  beforeAll(async () => {
    tenant = await createTenant();
    campaignId = await liveCampaign(tenant);
  });

  it("is filled by the first write and then kept current by the layer's pushes", async () => {
    const first = await patchAuthority(tenant, campaignId, "draft");
    expect(first.status, first.text).toBe(200);
    expect(await cachedVersion(campaignId)).toBe(await layerVersion(tenant));

    await setDefaults(tenant, { killSwitchActive: true });
    try {
      // Pushed before the change answered, with no write in between.
      expect(await cachedVersion(campaignId)).toBe(await layerVersion(tenant));
      const denied = await patchAuthority(tenant, campaignId, "auto");
      expect(expectError(denied, 403, "AUTHORITY_DENIED").reason).toBe("kill_switch_active");
      const budget = await write(tenant, "budget", campaignId);
      expect(expectError(budget, 403, "AUTHORITY_DENIED").reason).toBe("kill_switch_active");
    } finally {
      await setDefaults(tenant, { killSwitchActive: false });
    }
    const again = await patchAuthority(tenant, campaignId, "auto");
    expect(again.status, again.text).toBe(200);
  });

  it("a change made while the object was restarted governs its next write", async () => {
    await patchAuthority(tenant, campaignId, "draft");
    await restart(campaignId);
    await setDefaults(tenant, { partnerWritesEnabled: false });
    try {
      const denied = await write(tenant, "budget", campaignId);
      expect(expectError(denied, 403, "AUTHORITY_DENIED").reason).toBe("partner_writes_disabled");
      expect(await cachedVersion(campaignId)).toBe(await layerVersion(tenant));
    } finally {
      await setDefaults(tenant, { partnerWritesEnabled: true });
    }
    const allowed = await patchAuthority(tenant, campaignId, "auto");
    expect(allowed.status, allowed.text).toBe(200);
  });

  it("an object restarted after the change reads the new policy, not an old copy", async () => {
    await patchAuthority(tenant, campaignId, "draft");
    await setDefaults(tenant, { killSwitchActive: true });
    try {
      await restart(campaignId);
      const denied = await patchAuthority(tenant, campaignId, "auto");
      expect(expectError(denied, 403, "AUTHORITY_DENIED").reason).toBe("kill_switch_active");
      expect(await cachedVersion(campaignId)).toBe(await layerVersion(tenant));
    } finally {
      await setDefaults(tenant, { killSwitchActive: false });
    }
    const allowed = await patchAuthority(tenant, campaignId, "auto");
    expect(allowed.status, allowed.text).toBe(200);
  });
});
