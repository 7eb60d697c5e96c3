/**
 * `?dryRun=true` on the two policy writes: the authority PATCH (judged by the campaign object
 * against the partner's ceiling) and the defaults PATCH (judged by the layer object). The dry
 * run answers the decision and changes nothing (ETag, version, audit); the real call agrees.
 */
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { dryRun, dryThenReal, expectSameRefusal, real } from "../writes/dry-run-fixtures";
import { campaignPath, liveCampaign, setAuthority, setDefaults } from "../writes/fixtures";

const authorityCall = (
  t: TestTenant,
  campaignId: string,
  authority: Record<string, string>,
  key?: string,
) => ({
  method: "PATCH",
  path: `${campaignPath(t, campaignId)}/authority`,
  body: { authority },
  ...(key ? { key } : {}),
});

const defaultsCall = (t: TestTenant, body: Record<string, unknown>, key?: string) => ({
  method: "PATCH",
  path: `/v1/projects/${t.projectId}/ads/meta/defaults`,
  body,
  ...(key ? { key } : {}),
});

describe.concurrent("authority PATCH dry run", () => {
  it("allow, ceiling breach, kill switch, partner writes off: each as the real PATCH decides", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "auto" });
    const watched = [{ id, platform: "meta" as const }];
    // Lowering is always within the ceiling.
    const lowered = await dryThenReal(
      t,
      authorityCall(t, id, { tactical: "draft" }),
      { decision: "allow", axis: null },
      watched,
    );
    expect(lowered.status).toBe(200);
    // The customer pins structural at draft: the partner's ceiling there.
    await setAuthority(t, id, { structural: "draft" });
    await dryThenReal(
      t,
      authorityCall(t, id, { structural: "auto" }),
      {
        decision: "deny",
        reason: "exceeds_customer_policy",
        axis: "structural",
        currentMode: "draft",
        requestedMode: "auto",
        ceilingMode: "draft",
      },
      watched,
    );
    await setDefaults(t, { killSwitchActive: true });
    await dryThenReal(
      t,
      authorityCall(t, id, { tactical: "off" }),
      { decision: "deny", reason: "kill_switch_active" },
      watched,
    );
    // The customer may set anything, kill switch or not.
    const customer = authorityCall(t, id, { structural: "auto" }, t.keys.customer);
    await dryThenReal(t, customer, { decision: "allow" }, watched);
    await setDefaults(t, { killSwitchActive: false, partnerWritesEnabled: false });
    await dryThenReal(
      t,
      authorityCall(t, id, { tactical: "off" }),
      { decision: "deny", reason: "partner_writes_disabled" },
      watched,
    );
  });

  it("refuses what the real PATCH refuses: stale If-Match (412), bad body (422), unknown (404), deleted (409)", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "auto" });
    const stale = { ...authorityCall(t, id, { tactical: "draft" }), headers: { "If-Match": '"a999"' } };
    await expectSameRefusal(t, stale, 412, "PRECONDITION_FAILED");
    await expectSameRefusal(t, authorityCall(t, id, { tactical: "sometimes" }), 422, "VALIDATION");
    await expectSameRefusal(
      t,
      authorityCall(t, id, { tactical: "draft" }, t.keys.readOnly),
      403,
      "FORBIDDEN_SCOPE",
    );
    await expectSameRefusal(
      t,
      authorityCall(t, "cmp_01JD2V4W3X5Y6Z7A8B9C0D1E2F", { tactical: "draft" }),
      404,
      "NOT_FOUND",
    );
    expectError(await dryRun(t, authorityCall(t, id, { tactical: "draft" }), "maybe"), 422, "VALIDATION");
    // A current If-Match is honoured by the dry run and stays current after it.
    const read = await api("GET", `${campaignPath(t, id)}/authority`, { key: t.keys.partner });
    const etag = read.headers.get("ETag") as string;
    const fresh = { ...authorityCall(t, id, { tactical: "draft" }), headers: { "If-Match": etag } };
    expect((await dryRun(t, fresh)).status).toBe(200);
    expect((await real(t, fresh)).status).toBe(200);
    const del = await real(t, { method: "DELETE", path: campaignPath(t, id) });
    expect(del.status, del.text).toBe(202);
    for (let i = 0; i < 60; i++) {
      const c = await api<{ status: string }>("GET", campaignPath(t, id), { key: t.keys.readOnly });
      if (c.body.status === "deleted") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await expectSameRefusal(t, authorityCall(t, id, { tactical: "off" }), 409, "CONFLICT");
  });
});

describe.concurrent("defaults PATCH dry run", () => {
  it("allow, customer-only controls, locked defaults, a raise: each as the real PATCH decides", async () => {
    const t = await createTenant({ policies: { meta: { structural: "draft" } } });
    await dryThenReal(t, defaultsCall(t, { defaults: { tactical: "draft" } }), {
      decision: "allow",
      axis: null,
    });
    await dryThenReal(t, defaultsCall(t, { killSwitchActive: true }), {
      decision: "deny",
      reason: "user_only_control",
    });
    await dryThenReal(t, defaultsCall(t, { defaults: { structural: "auto" } }), {
      decision: "deny",
      reason: "exceeds_customer_policy",
      axis: "structural",
      currentMode: "draft",
      requestedMode: "auto",
      ceilingMode: "draft",
    });
    await setDefaults(t, { partnerDefaultsChangesAllowed: false });
    await dryThenReal(t, defaultsCall(t, { defaults: { tactical: "off" } }), {
      decision: "deny",
      reason: "partner_defaults_locked",
    });
  });

  it("the customer's kill switch as a dry run trips nothing: the partner's writes still go through", async () => {
    const t = await createTenant();
    const id = await liveCampaign(t, { mode: "auto" });
    const trip = defaultsCall(t, { killSwitchActive: true }, t.keys.customer);
    const dry = await dryRun(t, trip);
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toEqual({ dryRun: true, decision: "allow", axis: null, currentMode: null });
    const pause = await dryRun(t, { method: "POST", path: `${campaignPath(t, id)}/pause` });
    expect(pause.body).toMatchObject({ decision: "allow" });
    await dryThenReal(t, trip, { decision: "allow" });
    const denied = await dryRun(t, { method: "POST", path: `${campaignPath(t, id)}/pause` });
    expect(denied.body).toMatchObject({ decision: "deny", reason: "kill_switch_active" });
  });

  it("refuses what the real PATCH refuses: stale If-Match (412), bad body (422), scope, dryRun=maybe", async () => {
    const t = await createTenant();
    const stale = {
      ...defaultsCall(t, { defaults: { tactical: "draft" } }),
      headers: { "If-Match": '"l999"' },
    };
    await expectSameRefusal(t, stale, 412, "PRECONDITION_FAILED");
    await expectSameRefusal(t, defaultsCall(t, { defaults: { tactical: "nope" } }), 422, "VALIDATION");
    await expectSameRefusal(t, defaultsCall(t, { surprise: true }), 422, "VALIDATION");
    await expectSameRefusal(t, defaultsCall(t, {}, t.keys.readOnly), 403, "FORBIDDEN_SCOPE");
    expectError(await dryRun(t, defaultsCall(t, {}), "maybe"), 422, "VALIDATION");
  });
});
