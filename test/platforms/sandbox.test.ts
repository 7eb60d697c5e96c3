import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PLATFORMS, type Platform } from "../../src/domain/platform-rules";
import {
  parseSandboxMarkers,
  SANDBOX_MAX_DELAY_MS,
  SandboxAdapter,
  sandboxCampaignId,
} from "../../src/platforms/sandbox";
import type { PlatformOperation } from "../../src/platforms/types";
import { adAccount, campaignSpec, dispatchContext } from "./fixtures";

const ID_PATTERNS: Record<Platform, RegExp> = {
  meta: /^120\d{15}$/,
  tiktok: /^18\d{17}$/,
  apple: /^1\d{9}$/,
};

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

function create(platform: Platform, name: string): PlatformOperation {
  return { type: "create_campaign", campaign: campaignSpec(platform, { name }) };
}

describe.each(PLATFORMS)("sandbox (%s)", (platform) => {
  const account = adAccount(platform, { connection: "sandbox" });
  const adapter = new SandboxAdapter();

  it("creates with a platform-shaped id that depends only on the idempotency key", async () => {
    const context = dispatchContext({ idempotencyKey: "job_01JD00000000000000000000AA" });

    const first = await adapter.execute(create(platform, "Spring sale"), account, context);
    const redelivered = await new SandboxAdapter().execute(create(platform, "Spring sale"), account, {
      ...context,
      attempt: 4,
    });
    const otherJob = await adapter.execute(create(platform, "Spring sale"), account, {
      ...context,
      idempotencyKey: "job_01JD00000000000000000000BB",
    });

    expect(first.ok, JSON.stringify(first)).toBe(true);
    expect(first.ok && first.platformCampaignId).toMatch(ID_PATTERNS[platform]);
    expect(redelivered).toEqual(first);
    expect(otherJob.ok && otherJob.platformCampaignId).not.toBe(first.ok && first.platformCampaignId);
  });

  it("ids have the platform's shape for any key", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }), async (key) => {
        expect(await sandboxCampaignId(platform, key)).toMatch(ID_PATTERNS[platform]);
      }),
      { numRuns: 50 },
    );
  });

  it("[sandbox:fail=2] fails attempts 1 and 2 with a 503, then succeeds", async () => {
    const operation = create(platform, "Retry me [sandbox:fail=2]");
    const results = [];
    for (const attempt of [1, 2, 3]) {
      results.push(await adapter.execute(operation, account, dispatchContext({ attempt })));
    }
    expect(results[0]).toMatchObject({ ok: false, kind: "transient", platformCode: "503" });
    expect(results[1]).toMatchObject({ ok: false, kind: "transient", platformCode: "503" });
    expect(results[2]).toMatchObject({
      ok: true,
      platformCampaignId: expect.stringMatching(ID_PATTERNS[platform]),
    });
  });

  it("[sandbox:reject] is refused on every attempt with a platform code", async () => {
    const operation = create(platform, "[sandbox:reject] Nope");
    for (const attempt of [1, 2]) {
      const result = await adapter.execute(operation, account, dispatchContext({ attempt }));
      expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: expect.any(String) });
    }
  });

  it("[sandbox:throttle] throttles attempt 1 with a retry hint, then succeeds", async () => {
    const operation = create(platform, "Busy [sandbox:throttle]");
    const first = await adapter.execute(operation, account, dispatchContext({ attempt: 1 }));
    const second = await adapter.execute(operation, account, dispatchContext({ attempt: 2 }));
    expect(first).toMatchObject({ ok: false, kind: "transient", retryAfterMs: 1_000 });
    expect(second.ok, JSON.stringify(second)).toBe(true);
  });

  it("[sandbox:slow=<ms>] waits that long, capped at 30 s, then answers", async () => {
    const { delays, sleep } = recordingSleep();
    const slowAdapter = new SandboxAdapter({ sleep });

    const slow = await slowAdapter.execute(
      create(platform, "[sandbox:slow=1500]"),
      account,
      dispatchContext(),
    );
    await slowAdapter.execute(create(platform, "[sandbox:slow=999999]"), account, dispatchContext());

    expect(slow.ok, JSON.stringify(slow)).toBe(true);
    expect(delays).toEqual([1_500, SANDBOX_MAX_DELAY_MS]);
  });

  it.each(["pause_campaign", "resume_campaign", "delete_campaign"] as const)(
    "%s succeeds with the given platform id",
    async (type) => {
      const result = await adapter.execute(
        { type, campaign: campaignSpec(platform), platformCampaignId: "42" },
        account,
        dispatchContext(),
      );
      expect(result).toEqual({ ok: true, platformCampaignId: "42" });
    },
  );

  it("markers apply to non-create operations too", async () => {
    const campaign = campaignSpec(platform, { name: "Sale [sandbox:fail=1]" });
    const operation: PlatformOperation = {
      type: "update_budget",
      campaign,
      platformCampaignId: "42",
      dailyBudgetCents: 10_000,
    };
    expect(await adapter.execute(operation, account, dispatchContext({ attempt: 1 }))).toMatchObject({
      ok: false,
      kind: "transient",
    });
    expect(await adapter.execute(operation, account, dispatchContext({ attempt: 2 }))).toEqual({
      ok: true,
      platformCampaignId: "42",
    });
  });
});

describe("sandbox details", () => {
  it("really waits for [sandbox:slow]", async () => {
    const started = Date.now();
    const result = await new SandboxAdapter().execute(
      create("meta", "[sandbox:slow=60]"),
      adAccount("meta"),
      dispatchContext(),
    );
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });

  it("refuses amounts the platform's unit cannot carry, like the live adapter", async () => {
    const result = await new SandboxAdapter().execute(
      { type: "create_campaign", campaign: campaignSpec("meta", { dailyBudgetCents: 250_050 }) },
      adAccount("meta", { currency: "JPY" }),
      dispatchContext(),
    );
    expect(result).toMatchObject({ ok: false, kind: "rejected", platformCode: "INVALID_AMOUNT" });
  });

  it("gives each platform a different id for the same job", async () => {
    const ids = await Promise.all(PLATFORMS.map((platform) => sandboxCampaignId(platform, "job_same")));
    expect(new Set(ids).size).toBe(PLATFORMS.length);
  });

  it.each([
    ["Plain name", { failAttempts: 0, adsetFailAttempts: 0, reject: false, throttle: false, delayMs: 0 }],
    [
      "A [sandbox:fail=3] B",
      { failAttempts: 3, adsetFailAttempts: 0, reject: false, throttle: false, delayMs: 0 },
    ],
    [
      "[sandbox:reject][sandbox:slow=20]",
      { failAttempts: 0, adsetFailAttempts: 0, reject: true, throttle: false, delayMs: 20 },
    ],
    [
      "[SANDBOX:THROTTLE]",
      { failAttempts: 0, adsetFailAttempts: 0, reject: false, throttle: true, delayMs: 0 },
    ],
    [
      "[sandbox:fail=x] [sandbox:slow=]",
      { failAttempts: 0, adsetFailAttempts: 0, reject: false, throttle: false, delayMs: 0 },
    ],
  ])("parses markers in %j", (name, markers) => {
    expect(parseSandboxMarkers(name)).toEqual(markers);
  });
});
