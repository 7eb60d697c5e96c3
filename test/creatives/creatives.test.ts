import { beforeAll, describe, expect, it } from "vitest";
import { api, expectError } from "../helpers/http";
import { createTenant, type TestTenant } from "../helpers/tenant";

let tenant: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  tenant = await createTenant();
  other = await createTenant();
});

const base = (t: TestTenant) => `/v1/projects/${t.projectId}/ads/creatives`;
const body = {
  name: "Spring sale — 15s",
  format: "video",
  mediaUrl: "https://cdn.example.com/spring.mp4",
  thumbnailUrl: "https://cdn.example.com/spring.jpg",
  primaryText: "Spring sale: 20% off everything.",
  headline: "Spring sale",
  callToAction: "shop_now",
  linkUrl: "https://shop.example.com/spring",
};

describe("creative library", () => {
  it("stores a creative, reads it back and lists it", async () => {
    const created = await api("POST", base(tenant), { key: tenant.keys.partner, body });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      ...body,
      creativeId: expect.stringMatching(/^adc_[0-9A-Z]{26}$/),
      description: null,
      createdBy: { actorType: "partner", actorApiKeyId: tenant.keyIds.partner },
      platformIssues: { meta: [], tiktok: [], apple: [expect.objectContaining({ path: "format" })] },
    });
    const id = created.body.creativeId as string;
    const read = await api("GET", `${base(tenant)}/${id}`, { key: tenant.keys.readOnly });
    expect(read.status, read.text).toBe(200);
    expect(read.body).toEqual(created.body);
    const list = await api("GET", base(tenant), { key: tenant.keys.readOnly });
    expect(list.status, list.text).toBe(200);
    expect((list.body.items as { creativeId: string }[]).map((c) => c.creativeId)).toContain(id);
  });

  it("pages newest first with a cursor and a null nextCursor on the last page", async () => {
    const t = await createTenant();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api("POST", base(t), { key: t.keys.partner, body: { ...body, name: `c${i}` } });
      ids.push(r.body.creativeId as string);
    }
    const first = await api("GET", `${base(t)}?limit=2`, { key: t.keys.partner });
    expect((first.body.items as { creativeId: string }[]).map((c) => c.creativeId)).toEqual([ids[2], ids[1]]);
    const second = await api("GET", `${base(t)}?limit=2&cursor=${first.body.nextCursor}`, {
      key: t.keys.partner,
    });
    expect((second.body.items as { creativeId: string }[]).map((c) => c.creativeId)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    expectError(await api("GET", `${base(t)}?cursor=nonsense`, { key: t.keys.partner }), 422, "VALIDATION");
  });

  it("says what keeps a creative from a platform", async () => {
    const r = await api("POST", base(tenant), {
      key: tenant.keys.partner,
      body: { ...body, format: "image", primaryText: "🎉".repeat(120), callToAction: "get_offer" },
    });
    expect(r.status, r.text).toBe(201);
    const tiktok = (r.body.platformIssues as Record<"tiktok", { path: string }[]>).tiktok.map((i) => i.path);
    expect(tiktok.sort()).toEqual(["callToAction", "format", "primaryText", "primaryText"]);
  });

  it.each([
    ["an http media URL", { mediaUrl: "http://cdn.example.com/a.mp4" }, "mediaUrl"],
    ["a javascript link", { linkUrl: "javascript:alert(1)" }, "linkUrl"],
    ["an unknown call to action", { callToAction: "buy_buy_buy" }, "callToAction"],
    ["an unknown format", { format: "carousel" }, "format"],
    ["empty primary text", { primaryText: "" }, "primaryText"],
    ["an unknown field", { budget: 1 }, "budget"],
  ])("refuses %s with 422 naming the field", async (_name, change, path) => {
    const r = await api("POST", base(tenant), { key: tenant.keys.partner, body: { ...body, ...change } });
    const details = expectError(r, 422, "VALIDATION");
    const issues = details.issues as { path: string; message: string }[];
    expect(issues.map((i) => `${i.path} ${i.message}`).join(","), r.text).toContain(path);
  });

  it("needs ads:write:creative to add and ads:read to read; other organizations see nothing", async () => {
    const denied = await api("POST", base(tenant), { key: tenant.keys.readOnly, body });
    expect(expectError(denied, 403, "FORBIDDEN_SCOPE").requiredScope).toBe("ads:write:creative");
    const created = await api("POST", base(tenant), { key: tenant.keys.partner, body });
    const id = created.body.creativeId as string;
    expectError(await api("GET", `${base(tenant)}/${id}`, { key: other.keys.partner }), 404, "NOT_FOUND");
    expectError(
      await api("GET", `/v1/projects/${other.projectId}/ads/creatives/${id}`, { key: other.keys.partner }),
      404,
      "NOT_FOUND",
    );
    expectError(await api("GET", `${base(tenant)}/adc_nope`, { key: tenant.keys.partner }), 404, "NOT_FOUND");
    expectError(await api("POST", base(other), { key: tenant.keys.partner, body }), 404, "NOT_FOUND");
  });

  it("replays an idempotent create instead of storing it twice", async () => {
    const t = await createTenant();
    const headers = { "Idempotency-Key": "creative-1" };
    const a = await api("POST", base(t), { key: t.keys.partner, body, headers });
    const b = await api("POST", base(t), { key: t.keys.partner, body, headers });
    expect(b.status).toBe(201);
    expect(b.headers.get("Idempotent-Replayed")).toBe("true");
    expect(b.body.creativeId).toBe(a.body.creativeId);
    const list = await api("GET", base(t), { key: t.keys.partner });
    expect(list.body.items).toHaveLength(1);
  });
});
