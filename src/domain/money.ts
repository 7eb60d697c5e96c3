import type { Platform } from "./platform-rules";

/**
 * Money crosses our API as integer cents: hundredths of the account currency's main unit,
 * whatever that currency's own minor unit is (¥250 is 25000 cents). Each ad platform wants a
 * different unit; these pure functions convert, and refuse amounts the target unit cannot
 * represent instead of rounding someone's budget.
 */

/** ISO 4217 currencies with no minor unit: a fraction of the main unit cannot be charged. */
const ISO_ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "UYI",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);

/**
 * Meta's currency table gives each currency an "offset" (minor units per main unit). It is 1
 * for these and 100 for every other supported currency — including HUF, TWD, COP, IDR and CRC,
 * which ISO gives two decimals, and BHD/JOD, which ISO gives three.
 * Source: developers.facebook.com/docs/marketing-api/currencies.
 */
const META_OFFSET_ONE_CURRENCIES: ReadonlySet<string> = new Set([
  "CLP",
  "COP",
  "CRC",
  "HUF",
  "IDR",
  "ISK",
  "JPY",
  "KRW",
  "PYG",
  "TWD",
  "VND",
]);

export class MoneyConversionError extends Error {
  override readonly name = "MoneyConversionError";
}

function assertValidInput(cents: number, currency: string): void {
  if (!Number.isSafeInteger(cents) || cents < 0) {
    throw new MoneyConversionError(`Amount must be a non-negative integer number of cents, got ${cents}`);
  }
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new MoneyConversionError(`Currency must be an ISO 4217 code, got "${currency}"`);
  }
}

function assertWholeMainUnits(cents: number, currency: string): void {
  if (cents % 100 !== 0) {
    throw new MoneyConversionError(
      `${currency} has no fractional units: ${cents} cents is not a whole amount of ${currency}`,
    );
  }
}

export function isZeroDecimalCurrency(currency: string): boolean {
  return ISO_ZERO_DECIMAL_CURRENCIES.has(currency);
}

/** Meta: an integer in the currency's Meta "offset" unit (cents for USD, whole yen for JPY). */
export function toMetaAmount(cents: number, currency: string): number {
  assertValidInput(cents, currency);
  if (META_OFFSET_ONE_CURRENCIES.has(currency)) {
    assertWholeMainUnits(cents, currency);
    return cents / 100;
  }
  return cents;
}

/** Meta's offset unit back to cents (what imported campaigns carry). */
export function fromMetaAmount(amount: number, currency: string): number {
  return META_OFFSET_ONE_CURRENCIES.has(currency) ? amount * 100 : amount;
}

/** TikTok: a decimal number in the currency's main unit (5000 cents → 50). */
export function toTikTokAmount(cents: number, currency: string): number {
  assertValidInput(cents, currency);
  if (isZeroDecimalCurrency(currency)) assertWholeMainUnits(cents, currency);
  return cents / 100;
}

/** Apple: a decimal string in the main unit, two places ("250.00") or none for zero-decimal currencies. */
export function toAppleAmount(cents: number, currency: string): string {
  assertValidInput(cents, currency);
  const whole = Math.trunc(cents / 100);
  if (isZeroDecimalCurrency(currency)) {
    assertWholeMainUnits(cents, currency);
    return String(whole);
  }
  return `${whole}.${String(cents % 100).padStart(2, "0")}`;
}

const PLATFORM_CONVERTERS: Record<Platform, (cents: number, currency: string) => unknown> = {
  meta: toMetaAmount,
  tiktok: toTikTokAmount,
  apple: toAppleAmount,
};

/** Why `cents` of `currency` cannot be sent to `platform`, or null when it can (for request validation). */
export function amountIssue(platform: Platform, cents: number, currency: string): string | null {
  try {
    PLATFORM_CONVERTERS[platform](cents, currency);
    return null;
  } catch (error) {
    if (error instanceof MoneyConversionError) return error.message;
    throw error;
  }
}
