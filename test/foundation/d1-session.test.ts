/** Reads through the D1 Sessions API: a bookmark in, the session's bookmark out. */
import { describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createCampaign } from "../helpers/jobs";
import { createTenant } from "../helpers/tenant";

describe("D1 read sessions", () => {
  it("answers list and job reads with a bookmark, and accepts it back", async () => {
    const t = await createTenant();
    const created = await createCampaign(t, "meta");
    const list = await api("GET", `/v1/projects/${t.projectId}/ads/campaigns`, { key: t.keys.partner });
    expect(list.status, list.text).toBe(200);
    const bookmark = list.headers.get("x-d1-bookmark");
    expect(bookmark, "list answers with a bookmark").toMatch(/^[0-9A-Za-z-]+$/);

    const job = await api("GET", `/v1/jobs/${created.jobId}`, {
      key: t.keys.partner,
      headers: { "x-d1-bookmark": bookmark as string },
    });
    expect(job.status, job.text).toBe(200);
    expect(job.headers.get("x-d1-bookmark")).toMatch(/^[0-9A-Za-z-]+$/);

    const again = await api("GET", `/v1/projects/${t.projectId}/ads/campaigns`, {
      key: t.keys.partner,
      headers: { "x-d1-bookmark": bookmark as string },
    });
    expect(again.status, again.text).toBe(200);
    expect((again.body.items ?? again.body.data) as unknown[]).toHaveLength(1);
  });

  it("refuses what cannot be a bookmark with 400, never a 500", async () => {
    const t = await createTenant();
    const res = await api("GET", `/v1/projects/${t.projectId}/ads/campaigns`, {
      key: t.keys.partner,
      headers: { "x-d1-bookmark": "not a bookmark; DROP TABLE" },
    });
    expectError(res, 400, "VALIDATION");
  });
});
