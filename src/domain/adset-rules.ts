/**
 * Owns each platform's limits on ad set targeting (TikTok and Apple: ad group), checked
 * before a targeting write is judged: a value the platform cannot take answers 422.
 */
import { TIKTOK_LOCATION_IDS } from "./adset-defaults";
import type { Platform } from "./platform-rules";

export type TargetingPatch = {
  countries?: string[];
  ageMin?: number;
  ageMax?: number;
  genders?: ("male" | "female")[];
  placements?: "automatic" | string[];
};

export interface TargetingIssue {
  path: string;
  message: string;
}

interface TargetingLimits {
  minAge: number;
  maxAge: number;
  /** Placement names a list may hold; null: only `automatic`. */
  placements: readonly string[] | null;
  /** Fields fixed once the ad set exists (they live on the campaign or cannot change). */
  fixed: readonly (keyof TargetingPatch)[];
  countryAllowed(country: string): boolean;
}

/** Unconfirmed where platforms.md has no primary source: Meta's 13–65 range, TikTok's 13 floor. */
export const TARGETING_LIMITS: Record<Platform, TargetingLimits> = {
  meta: {
    minAge: 13,
    maxAge: 65,
    placements: ["facebook", "instagram", "audience_network", "messenger", "threads"],
    fixed: [],
    countryAllowed: () => true,
  },
  tiktok: {
    minAge: 13,
    maxAge: 100,
    placements: ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE", "PLACEMENT_GLOBAL_APP_BUNDLE"],
    // TikTok placements cannot change after the ad group is created.
    fixed: ["placements"],
    countryAllowed: (c) => c in TIKTOK_LOCATION_IDS,
  },
  apple: {
    minAge: 18,
    maxAge: 100,
    placements: null,
    // An Apple campaign's countriesOrRegions are the campaign's, not the ad group's.
    fixed: ["countries"],
    countryAllowed: () => true,
  },
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What the patch cannot do on this platform, given the ad set's current targeting. */
export function targetingIssues(
  platform: Platform,
  current: Record<string, unknown>,
  patch: TargetingPatch,
  { creating = false }: { creating?: boolean } = {},
): TargetingIssue[] {
  const limits = TARGETING_LIMITS[platform];
  const issues: TargetingIssue[] = [];
  // A new ad set may choose its placements; the campaign's countries stay the campaign's.
  for (const field of limits.fixed.filter((f) => !creating || f !== "placements")) {
    if (patch[field] !== undefined && !same(patch[field], current[field])) {
      issues.push({ path: field, message: `${platform} ad sets cannot change ${field}.` });
    }
  }
  for (const country of patch.countries ?? []) {
    if (!limits.countryAllowed(country)) {
      issues.push({ path: "countries", message: `${platform} cannot target ${country} here.` });
    }
  }
  for (const field of ["ageMin", "ageMax"] as const) {
    const age = patch[field];
    if (age !== undefined && (age < limits.minAge || age > limits.maxAge)) {
      issues.push({
        path: field,
        message: `Ages on ${platform} run from ${limits.minAge} to ${limits.maxAge}.`,
      });
    }
  }
  const ageMin = patch.ageMin ?? current.ageMin;
  const ageMax = patch.ageMax ?? current.ageMax;
  if (typeof ageMin === "number" && typeof ageMax === "number" && ageMin > ageMax) {
    issues.push({ path: "ageMin", message: "ageMin cannot exceed ageMax." });
  }
  if (Array.isArray(patch.placements)) {
    const allowed = limits.placements;
    const unknown = patch.placements.filter((p) => !allowed?.includes(p));
    if (!allowed || unknown.length > 0) {
      const message = allowed
        ? `Unknown ${platform} placements: ${unknown.join(", ")}; one of ${allowed.join(", ")}.`
        : `${platform} ad sets take automatic placements only.`;
      issues.push({ path: "placements", message });
    }
  }
  return issues;
}
