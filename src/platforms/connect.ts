/**
 * Owns the connection side of each platform: consent URL, code exchange, token renewal and
 * validation, the ad accounts a grant reaches, and paged listing of existing campaigns for
 * import. Failures are thrown as PlatformFailure (kind `auth` when the credentials no longer
 * work); dispatch stays in the adapters beside this.
 */
import type { Outcome, Platform } from "../domain/platform-rules";
import { AppleConnector } from "./apple-connect";
import type { PlatformConfig } from "./index";
import { MetaConnector } from "./meta-connect";
import { SandboxConnector } from "./sandbox-connect";
import { TikTokConnector } from "./tiktok-connect";
import type { PlatformCredential } from "./types";

export interface Grant {
  accessToken: string;
  /** null: the platform gave no expiry (TikTok's long-term tokens). */
  expiresAt: string | null;
  /** External ids the consent named (TikTok's advertiser_ids); listing still decides. */
  externalIds?: string[];
}

export interface PlatformAccount {
  externalId: string;
  name: string;
  currency: string;
  timezone: string;
  settings: Record<string, unknown>;
}

/** A campaign as it stands on the platform, in our units and vocabulary. */
export interface PlatformCampaign {
  platformCampaignId: string;
  name: string;
  status: "active" | "paused" | "deleted";
  outcome: Outcome;
  dailyBudgetCents: number | null;
  lifetimeBudgetCents: number | null;
  startTime: string | null;
  endTime: string | null;
  /** The platform's own objective and whatever else we keep verbatim. */
  platformSettings: Record<string, unknown>;
  adSets: { platformAdSetId: string; name: string; status: string }[];
}

export interface CampaignPage {
  items: PlatformCampaign[];
  /** Opaque to callers; null on the last page. */
  next: string | null;
}

export interface PlatformConnector {
  /** The platform's consent page; Apple has none (its API users are set up by hand). */
  authorizeUrl?(input: { state: string; redirectUri: string }): string;
  exchangeCode?(code: string, redirectUri: string): Promise<Grant>;
  /** A new grant before the current one expires, or null where the platform has no renewal. */
  renew?(credential: PlatformCredential): Promise<Grant | null>;
  /** Proves the credentials cheaply; throws an auth failure when they no longer work. */
  validate(credential: PlatformCredential, externalId: string | null): Promise<void>;
  listAccounts(credential: PlatformCredential, grant?: Grant): Promise<PlatformAccount[]>;
  listCampaigns(
    credential: PlatformCredential,
    account: { externalId: string; currency: string },
    cursor: string | null,
  ): Promise<CampaignPage>;
  /** Revokes the grant at the platform where it offers that. */
  revoke?(credential: PlatformCredential): Promise<void>;
}

export function connectorFor(
  platform: Platform,
  config: PlatformConfig,
  sandbox: boolean,
): PlatformConnector {
  if (sandbox) return new SandboxConnector(platform);
  switch (platform) {
    case "meta":
      return new MetaConnector(config);
    case "tiktok":
      return new TikTokConnector(config);
    case "apple":
      return new AppleConnector(config);
  }
}

export function tokenOf(credential: PlatformCredential): string {
  if (credential.kind !== "oauth_token") throw new Error("expected an OAuth token credential");
  return credential.accessToken;
}

/** Cents from a platform's main-unit decimal ("12.34" or 12.34). */
export function centsFromMainUnit(value: unknown): number | null {
  const number = typeof value === "string" ? Number(value) : typeof value === "number" ? value : Number.NaN;
  return Number.isFinite(number) && number > 0 ? Math.round(number * 100) : null;
}

/** A platform timestamp ("2026-01-01T00:00:00+0000", "2026-01-01 00:00:00") as ISO 8601 UTC. */
export function isoOrNull(value: unknown): string | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)
    ? `${value.replace(" ", "T")}Z`
    : value;
  const time = Date.parse(normalized.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}
