import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { waitForJob } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";

describe("ad-account connection routes: scopes and isolation", () => {
  it("another organization's ad account is not found on every route; malformed ids too", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const foreign = `/v1/projects/${other.projectId}/ads/ad-accounts/${other.adAccounts.meta}`;
    expectError(await api("GET", foreign, { key: t.keys.partner }), 404, "NOT_FOUND");
    expectError(await api("POST", `${foreign}/sync`, { key: t.keys.partner }), 404, "NOT_FOUND");
    expectError(await api("DELETE", foreign, { key: t.keys.customer }), 404, "NOT_FOUND");
    const crossProject = `/v1/projects/${t.projectId}/ads/ad-accounts/${other.adAccounts.meta}`;
    expectError(await api("GET", crossProject, { key: t.keys.partner }), 404, "NOT_FOUND");
    expectError(
      await api("GET", `/v1/projects/${t.projectId}/ads/ad-accounts/not-an-id`, { key: t.keys.partner }),
      404,
      "NOT_FOUND",
    );
  });

  it("connect, sync and disconnect need ads:write:connect; reads need ads:read", async () => {
    const t = await createTenant();
    const base = `/v1/projects/${t.projectId}/ads/ad-accounts`;
    const readOnly = t.keys.readOnly;
    expect(
      expectError(
        await api("POST", `${base}/${t.adAccounts.meta}/sync`, { key: readOnly }),
        403,
        "FORBIDDEN_SCOPE",
      ),
    ).toMatchObject({
      requiredScope: "ads:write:connect",
    });
    expectError(
      await api("DELETE", `${base}/${t.adAccounts.meta}`, { key: readOnly }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expectError(
      await api("POST", `${base}/apple/credentials`, {
        key: readOnly,
        body: { clientId: "c", teamId: "t", keyId: "k", privateKey: "p" },
      }),
      403,
      "FORBIDDEN_SCOPE",
    );
    expect((await api("GET", `${base}/${t.adAccounts.meta}`, { key: readOnly })).status).toBe(200);
    expectError(await api("GET", `${base}/${t.adAccounts.meta}`), 401, "UNAUTHENTICATED");
  });

  it("a sync of a disconnected account answers 404; the seeded sandbox account imports the simulator's campaigns", async () => {
    const t = await createTenant();
    const base = `/v1/projects/${t.projectId}/ads/ad-accounts`;
    const synced = await api<{ jobId: string; status: string }>(
      "POST",
      `${base}/${t.adAccounts.tiktok}/sync`,
      {
        key: t.keys.partner,
      },
    );
    expect(synced.status, synced.text).toBe(202);
    expect(await waitForJob(t.keys.partner, synced.body.jobId)).toMatchObject({
      status: "completed",
      result: { campaignsCreated: 3 },
    });
    expect((await api("DELETE", `${base}/${t.adAccounts.tiktok}`, { key: t.keys.customer })).status).toBe(
      200,
    );
    expectError(
      await api("POST", `${base}/${t.adAccounts.tiktok}/sync`, { key: t.keys.partner }),
      404,
      "NOT_FOUND",
    );
  });

  it("the sandbox consent page refuses states it did not mint for a test key", async () => {
    expectError(await api("GET", "/v1/oauth/meta/sandbox/consent?state=forged"), 404, "NOT_FOUND");
    expectError(await api("GET", "/v1/oauth/apple/callback?state=x"), 404, "NOT_FOUND");
  });
});
