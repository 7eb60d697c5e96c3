/**
 * A customer-set axis on a campaign is the partner's ceiling on that axis (SPEC §3 "Policy
 * writes"), and a deleted campaign's authority cannot change.
 */
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";
import { campaignPath, liveCampaign, setAuthority, writeAndComplete } from "../writes/fixtures";

const patch = (t: TestTenant, campaignId: string, key: string, authority: Record<string, string>) =>
  api<{ authority: Record<string, string> }>("PATCH", `${campaignPath(t, campaignId)}/authority`, {
    key,
    body: { authority },
  });

describe("the customer's pin is the partner's ceiling", () => {
  it("a partner cannot raise an axis the customer pinned lower, even within the layer default", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    await setAuthority(t, campaignId, { tactical: "off" });
    const raise = await patch(t, campaignId, t.keys.partner, { tactical: "auto" });
    expect(expectError(raise, 403, "AUTHORITY_DENIED"), raise.text).toMatchObject({
      reason: "exceeds_customer_policy",
      axis: "tactical",
      requestedMode: "auto",
      ceilingMode: "off",
    });
    const draft = await patch(t, campaignId, t.keys.partner, { tactical: "draft" });
    expect(expectError(draft, 403, "AUTHORITY_DENIED").ceilingMode, draft.text).toBe("off");

    // Axes the customer did not set stay bounded by the layer default only.
    const lower = await patch(t, campaignId, t.keys.partner, { structural: "draft" });
    expect(lower.status, lower.text).toBe(200);
    const back = await patch(t, campaignId, t.keys.partner, { structural: "auto" });
    expect(back.status, back.text).toBe(200);
    expect(back.body.authority).toEqual({ creative: "auto", tactical: "off", structural: "auto" });
  });

  it("the ceiling follows the customer's latest setting; a partner lowering does not move it", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    await setAuthority(t, campaignId, { tactical: "draft" });
    expect((await patch(t, campaignId, t.keys.partner, { tactical: "off" })).status).toBe(200);
    const up = await patch(t, campaignId, t.keys.partner, { tactical: "draft" });
    expect(up.status, up.text).toBe(200);
    expect(
      expectError(await patch(t, campaignId, t.keys.partner, { tactical: "auto" }), 403, "AUTHORITY_DENIED"),
    ).toMatchObject({ ceilingMode: "draft" });
    await setAuthority(t, campaignId, { tactical: "auto" });
    const now = await patch(t, campaignId, t.keys.partner, { tactical: "auto" });
    expect(now.status, now.text).toBe(200);
  });
});

describe("authority of a deleted campaign", () => {
  it("answers 409 CONFLICT to every key", async () => {
    const t = await createTenant();
    const campaignId = await liveCampaign(t);
    await writeAndComplete(t, "delete", campaignId);
    for (const key of [t.keys.partner, t.keys.customer]) {
      expectError(await patch(t, campaignId, key, { tactical: "off" }), 409, "CONFLICT");
    }
    const read = await api("GET", `${campaignPath(t, campaignId)}/authority`, { key: t.keys.partner });
    expect(read.status, read.text).toBe(200);
  });
});
