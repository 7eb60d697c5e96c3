import { describe, expect, it } from "vitest";
import { classifyAnswer, PRODUCTION_LADDER_SECONDS, webhookRetryDelayMs } from "../../src/webhooks/retry";

describe("webhook retry ladder", () => {
  it("is 30 s, 2 min, 10 min, 1 h, 6 h, 24 h at base 30, within ±20 % jitter, then spent", () => {
    const at = (attempt: number, r: number) => webhookRetryDelayMs(attempt, 30, () => r);
    PRODUCTION_LADDER_SECONDS.forEach((seconds, i) => {
      expect(at(i + 1, 0.5)).toBe(seconds * 1000);
      expect(at(i + 1, 0)).toBe(seconds * 800);
      expect(at(i + 1, 1)).toBe(seconds * 1200);
    });
    expect(PRODUCTION_LADDER_SECONDS).toEqual([30, 120, 600, 3600, 21_600, 86_400]);
    expect(at(7, 0.5)).toBeNull();
  });

  it("scales with the configured base (about one second in dev and tests)", () => {
    expect([1, 2, 3].map((a) => webhookRetryDelayMs(a, 1, () => 0.5))).toEqual([1000, 4000, 20_000]);
  });

  it("delivers on 2xx, gives up on 4xx except 408/429, retries everything else", () => {
    const table: [number | null, string][] = [
      [200, "delivered"],
      [204, "delivered"],
      [299, "delivered"],
      [301, "retry"],
      [307, "retry"],
      [400, "give_up"],
      [401, "give_up"],
      [404, "give_up"],
      [410, "give_up"],
      [408, "retry"],
      [429, "retry"],
      [500, "retry"],
      [503, "retry"],
      [null, "retry"],
    ];
    for (const [status, expected] of table) expect(classifyAnswer(status), String(status)).toBe(expected);
  });
});
