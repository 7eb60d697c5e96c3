import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  amountIssue,
  isZeroDecimalCurrency,
  MoneyConversionError,
  toAppleAmount,
  toMetaAmount,
  toTikTokAmount,
} from "../../src/domain/money";

describe("toMetaAmount", () => {
  it.each([
    { cents: 12_345, currency: "USD", expected: 12_345 },
    { cents: 100, currency: "EUR", expected: 100 },
    { cents: 0, currency: "GBP", expected: 0 },
    { cents: 2_500_000, currency: "JPY", expected: 25_000 },
    { cents: 1_000_000, currency: "KRW", expected: 10_000 },
    // Meta's own table: offset 1 although ISO gives these two decimals.
    { cents: 150_000, currency: "HUF", expected: 1_500 },
    { cents: 30_000, currency: "TWD", expected: 300 },
    // Meta's offset for BHD is 100 although ISO gives it three decimals.
    { cents: 1_050, currency: "BHD", expected: 1_050 },
  ])("$cents cents of $currency → $expected", ({ cents, currency, expected }) => {
    expect(toMetaAmount(cents, currency)).toBe(expected);
  });

  it.each([
    { cents: 2_500_050, currency: "JPY" },
    { cents: 101, currency: "KRW" },
    { cents: 150_001, currency: "HUF" },
  ])("refuses $cents cents of $currency (not a whole amount)", ({ cents, currency }) => {
    expect(() => toMetaAmount(cents, currency)).toThrow(MoneyConversionError);
  });
});

describe("toTikTokAmount", () => {
  it.each([
    { cents: 5_000, currency: "USD", expected: 50 },
    { cents: 12_345, currency: "USD", expected: 123.45 },
    { cents: 1_999, currency: "EUR", expected: 19.99 },
    { cents: 700_000, currency: "JPY", expected: 7_000 },
    { cents: 150_050, currency: "HUF", expected: 1_500.5 },
  ])("$cents cents of $currency → $expected", ({ cents, currency, expected }) => {
    expect(toTikTokAmount(cents, currency)).toBe(expected);
    expect(JSON.stringify(toTikTokAmount(cents, currency))).toBe(String(expected));
  });

  it("refuses a fractional yen", () => {
    expect(() => toTikTokAmount(700_001, "JPY")).toThrow(MoneyConversionError);
  });
});

describe("toAppleAmount", () => {
  it.each([
    { cents: 25_000, currency: "USD", expected: "250.00" },
    { cents: 12_345, currency: "USD", expected: "123.45" },
    { cents: 5, currency: "EUR", expected: "0.05" },
    { cents: 0, currency: "GBP", expected: "0.00" },
    { cents: 1_000_000, currency: "JPY", expected: "10000" },
    { cents: 500_000, currency: "KRW", expected: "5000" },
    { cents: 150_050, currency: "HUF", expected: "1500.50" },
  ])("$cents cents of $currency → $expected", ({ cents, currency, expected }) => {
    expect(toAppleAmount(cents, currency)).toBe(expected);
  });

  it("refuses a fractional yen", () => {
    expect(() => toAppleAmount(1_000_050, "JPY")).toThrow(MoneyConversionError);
  });
});

describe("input validation", () => {
  it.each([
    { cents: -1, currency: "USD" },
    { cents: 1.5, currency: "USD" },
    { cents: Number.NaN, currency: "USD" },
    { cents: 2 ** 60, currency: "USD" },
    { cents: 100, currency: "usd" },
    { cents: 100, currency: "DOLLARS" },
  ])("refuses $cents / $currency on every platform", ({ cents, currency }) => {
    expect(() => toMetaAmount(cents, currency)).toThrow(MoneyConversionError);
    expect(() => toTikTokAmount(cents, currency)).toThrow(MoneyConversionError);
    expect(() => toAppleAmount(cents, currency)).toThrow(MoneyConversionError);
  });
});

describe("amountIssue", () => {
  it.each([
    { platform: "meta", cents: 150_050, currency: "HUF", valid: false },
    { platform: "tiktok", cents: 150_050, currency: "HUF", valid: true },
    { platform: "apple", cents: 150_050, currency: "HUF", valid: true },
    { platform: "meta", cents: 2_500_000, currency: "JPY", valid: true },
    { platform: "apple", cents: 2_500_050, currency: "JPY", valid: false },
    { platform: "tiktok", cents: 12_345, currency: "USD", valid: true },
  ] as const)("$platform $cents $currency valid=$valid", ({ platform, cents, currency, valid }) => {
    const issue = amountIssue(platform, cents, currency);
    if (valid) expect(issue).toBeNull();
    else expect(issue).toMatch(/no fractional units/);
  });
});

describe("properties", () => {
  const twoDecimalCurrency = fc.constantFrom("USD", "EUR", "GBP", "BRL", "AUD");
  const cents = fc.integer({ min: 0, max: 10_000_000_000 });

  it("round-trips two-decimal amounts through every platform's unit", () => {
    fc.assert(
      fc.property(cents, twoDecimalCurrency, (amount, currency) => {
        expect(toMetaAmount(amount, currency)).toBe(amount);
        expect(Math.round(toTikTokAmount(amount, currency) * 100)).toBe(amount);
        expect(Math.round(Number(toAppleAmount(amount, currency)) * 100)).toBe(amount);
        expect(toAppleAmount(amount, currency)).toMatch(/^\d+\.\d{2}$/);
      }),
    );
  });

  it("converts whole zero-decimal amounts to whole units and refuses the rest", () => {
    fc.assert(
      fc.property(cents, fc.constantFrom("JPY", "KRW", "CLP", "VND"), (amount, currency) => {
        expect(isZeroDecimalCurrency(currency)).toBe(true);
        if (amount % 100 === 0) {
          expect(toMetaAmount(amount, currency)).toBe(amount / 100);
          expect(toTikTokAmount(amount, currency)).toBe(amount / 100);
          expect(toAppleAmount(amount, currency)).toBe(String(amount / 100));
        } else {
          expect(() => toMetaAmount(amount, currency)).toThrow(MoneyConversionError);
          expect(() => toAppleAmount(amount, currency)).toThrow(MoneyConversionError);
        }
      }),
    );
  });
});
