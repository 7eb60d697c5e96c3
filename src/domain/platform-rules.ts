/**
 * Per-platform facts our API enforces before anything is dispatched: which outcomes and
 * budget kinds a platform offers, its minimum budgets, and the best-practice defaults we
 * choose for every tactical detail a caller leaves out. Sources: ../shared/platforms.md.
 */
export const PLATFORMS = ["meta", "tiktok", "apple"] as const;
export type Platform = (typeof PLATFORMS)[number];

export const OUTCOMES = ["conversions", "traffic", "app_installs", "engagement", "lead_generation"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const BID_STRATEGY_TYPES = {
  meta: ["LOWEST_COST_WITHOUT_CAP", "LOWEST_COST_WITH_BID_CAP", "COST_CAP", "LOWEST_COST_WITH_MIN_ROAS"],
  tiktok: ["BID_TYPE_NO_BID", "BID_TYPE_CUSTOM"],
  apple: ["MANUAL_CPT", "MAX_CONVERSIONS"],
} as const satisfies Record<Platform, readonly string[]>;

export interface PlatformRules {
  outcomes: readonly Outcome[];
  lifetimeBudgets: boolean;
  /** A lifetime budget needs an end time on this platform. */
  lifetimeBudgetRequiresEndTime: boolean;
  minDailyBudgetCents: number;
  minLifetimeBudgetCents: number;
  /** The largest budget the platform accepts, in cents of the account currency (422 above). */
  maxDailyBudgetCents: number;
  maxLifetimeBudgetCents: number;
}

/**
 * Budget caps. Meta refuses lifetime budgets over US$1M (error subcode 1885261, platforms.md,
 * third-party source). Everything else here is Unconfirmed: the platforms publish no ceiling
 * we could verify, so these are conservative guesses, overridable per deployment with the
 * PLATFORM_BUDGET_CAPS variable (see env.ts) without a code change.
 */
const US_1M_CENTS = 100_000_000;

export const PLATFORM_RULES: Record<Platform, PlatformRules> = {
  // Meta: $1.00/day is the common floor for major currencies; lifetime budgets need a stop time.
  meta: {
    outcomes: OUTCOMES,
    lifetimeBudgets: true,
    lifetimeBudgetRequiresEndTime: true,
    minDailyBudgetCents: 100,
    minLifetimeBudgetCents: 100,
    // Unconfirmed for daily budgets (the same ceiling as lifetime assumed).
    maxDailyBudgetCents: US_1M_CENTS,
    maxLifetimeBudgetCents: US_1M_CENTS,
  },
  // TikTok: campaign budgets at least $50 daily and $50 lifetime; lifetime needs an end time.
  tiktok: {
    outcomes: OUTCOMES,
    lifetimeBudgets: true,
    lifetimeBudgetRequiresEndTime: true,
    minDailyBudgetCents: 5000,
    minLifetimeBudgetCents: 5000,
    // Unconfirmed: US$10M daily / US$100M lifetime.
    maxDailyBudgetCents: 10 * US_1M_CENTS,
    maxLifetimeBudgetCents: 100 * US_1M_CENTS,
  },
  // Apple Search Ads: app promotion only, daily budgets only since API 5.6.
  apple: {
    outcomes: ["app_installs"],
    lifetimeBudgets: false,
    lifetimeBudgetRequiresEndTime: false,
    minDailyBudgetCents: 100,
    minLifetimeBudgetCents: 0,
    // Unconfirmed: US$1M daily.
    maxDailyBudgetCents: US_1M_CENTS,
    maxLifetimeBudgetCents: 0,
  },
};

export type BudgetCaps = Pick<PlatformRules, "maxDailyBudgetCents" | "maxLifetimeBudgetCents">;

/**
 * The platform's rules with a deployment's budget caps: `capsJson` is the PLATFORM_BUDGET_CAPS
 * variable, e.g. `{"tiktok":{"maxDailyBudgetCents":500000000}}`. A malformed value keeps the
 * built-in caps rather than failing every write.
 */
export function platformRules(platform: Platform, capsJson: string | undefined): PlatformRules {
  let overrides: unknown = null;
  try {
    overrides = capsJson ? JSON.parse(capsJson) : null;
  } catch {
    overrides = null;
  }
  return withBudgetCaps(platform, overrides);
}

function withBudgetCaps(platform: Platform, overrides: unknown): PlatformRules {
  const base = PLATFORM_RULES[platform];
  const entry =
    typeof overrides === "object" && overrides !== null
      ? (overrides as Record<string, unknown>)[platform]
      : null;
  if (typeof entry !== "object" || entry === null) return base;
  const cap = (v: unknown, fallback: number) =>
    Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : fallback;
  const e = entry as Record<string, unknown>;
  return {
    ...base,
    maxDailyBudgetCents: cap(e.maxDailyBudgetCents, base.maxDailyBudgetCents),
    maxLifetimeBudgetCents: cap(e.maxLifetimeBudgetCents, base.maxLifetimeBudgetCents),
  };
}

export interface BidStrategy {
  type: string;
  bidAmountCents?: number;
  targetCpaCents?: number;
  roasFloor?: number;
}

export interface Targeting {
  countries: string[];
  ageMin?: number;
  ageMax?: number;
  genders?: ("male" | "female")[];
  placements: "automatic";
}

export interface TacticalDefaults {
  bidStrategy: BidStrategy;
  targeting: Targeting;
  /** Platform-only settings we fix at create time. */
  platformSettings: Record<string, unknown>;
}

/** Best-practice defaults for every tactical detail a create leaves out. */
export function defaultTactics(platform: Platform, defaultCountries: string[]): TacticalDefaults {
  const countries = defaultCountries.length > 0 ? defaultCountries : ["US"];
  switch (platform) {
    case "meta":
      return {
        // Highest volume for the budget; no bid cap to tune.
        bidStrategy: { type: "LOWEST_COST_WITHOUT_CAP" },
        // Advantage+ audience and placements: let delivery find the audience.
        targeting: { countries, ageMin: 18, ageMax: 65, placements: "automatic" },
        platformSettings: { buyingType: "AUCTION", specialAdCategories: [], budgetLevel: "campaign" },
      };
    case "tiktok":
      return {
        bidStrategy: { type: "BID_TYPE_NO_BID" },
        targeting: { countries, ageMin: 18, ageMax: 55, placements: "automatic" },
        platformSettings: { budgetOptimization: true, specialIndustries: [] },
      };
    case "apple":
      return {
        bidStrategy: { type: "MANUAL_CPT" },
        targeting: { countries, placements: "automatic" },
        platformSettings: {
          adChannelType: "SEARCH",
          supplySources: ["APPSTORE_SEARCH_RESULTS"],
          billingEvent: "TAPS",
        },
      };
  }
}
