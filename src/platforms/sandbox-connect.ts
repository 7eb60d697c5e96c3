/**
 * Owns the simulator's connection side, for test keys: codes minted by the Worker's own
 * consent page (`sbx_…`) exchange for sandbox tokens; each grant reaches one ad account whose
 * id derives from the token; every account holds the same deterministic set of pre-existing
 * campaigns (two per page, so import pages). No network, no state.
 */
import type { Platform } from "../domain/platform-rules";
import type { CampaignPage, Grant, PlatformAccount, PlatformCampaign, PlatformConnector } from "./connect";
import { authFailure, PlatformFailure, rejectedFailure, sha256, toHex } from "./http";
import { sandboxCampaignId } from "./sandbox";
import type { PlatformCredential } from "./types";

export const SANDBOX_CODE_PREFIX = "sbx_";
const SANDBOX_TOKEN_PREFIX = "sbx_tok_";
export const SANDBOX_PAGE_SIZE = 2;
const META_TOKEN_LIFETIME_MS = 60 * 24 * 60 * 60 * 1000;

interface SeedCampaign {
  name: string;
  status: "active" | "paused";
  dailyBudgetCents: number | null;
  lifetimeBudgetCents: number | null;
}

/** What every sandbox account already runs when it is connected. */
export const SANDBOX_EXISTING_CAMPAIGNS: Record<Platform, SeedCampaign[]> = {
  meta: [
    { name: "Evergreen prospecting", status: "active", dailyBudgetCents: 7_500, lifetimeBudgetCents: null },
    {
      name: "Retargeting: cart abandoners",
      status: "active",
      dailyBudgetCents: 2_500,
      lifetimeBudgetCents: null,
    },
    { name: "Black Friday teaser", status: "paused", dailyBudgetCents: 10_000, lifetimeBudgetCents: null },
  ],
  tiktok: [
    { name: "Spark ads: creators", status: "active", dailyBudgetCents: 10_000, lifetimeBudgetCents: null },
    { name: "App installs US", status: "active", dailyBudgetCents: 20_000, lifetimeBudgetCents: null },
    { name: "Holiday push", status: "paused", dailyBudgetCents: 5_000, lifetimeBudgetCents: null },
  ],
  apple: [
    { name: "Brand keywords", status: "active", dailyBudgetCents: 5_000, lifetimeBudgetCents: null },
    { name: "Competitor keywords", status: "paused", dailyBudgetCents: 3_000, lifetimeBudgetCents: null },
    {
      name: "Discovery (Search Match)",
      status: "active",
      dailyBudgetCents: 2_000,
      lifetimeBudgetCents: null,
    },
  ],
};

const ACCOUNT_ID_DIGITS: Record<Platform, { prefix: string; length: number }> = {
  meta: { prefix: "23", length: 15 },
  tiktok: { prefix: "70", length: 19 },
  apple: { prefix: "4", length: 8 },
};

async function digits(seed: string, shape: { prefix: string; length: number }): Promise<string> {
  const hex = toHex(await sha256(seed));
  const value = BigInt(`0x${hex.slice(0, 16)}`) % 10n ** BigInt(shape.length - shape.prefix.length);
  return shape.prefix + value.toString().padStart(shape.length - shape.prefix.length, "0");
}

export class SandboxConnector implements PlatformConnector {
  constructor(private readonly platform: Platform) {}

  async exchangeCode(code: string): Promise<Grant> {
    if (!code.startsWith(SANDBOX_CODE_PREFIX)) {
      throw new PlatformFailure(rejectedFailure("The sandbox does not know this code", "invalid_code"));
    }
    const accessToken = `${SANDBOX_TOKEN_PREFIX}${toHex(await sha256(`sandbox-token:${code}`)).slice(0, 32)}`;
    const expiresAt =
      this.platform === "meta" ? new Date(Date.now() + META_TOKEN_LIFETIME_MS).toISOString() : null;
    return { accessToken, expiresAt };
  }

  async renew(credential: PlatformCredential): Promise<Grant | null> {
    if (this.platform !== "meta" || credential.kind !== "oauth_token") return null;
    await this.validate(credential);
    return {
      accessToken: credential.accessToken,
      expiresAt: new Date(Date.now() + META_TOKEN_LIFETIME_MS).toISOString(),
    };
  }

  async validate(credential: PlatformCredential): Promise<void> {
    if (credential.kind === "oauth_token" && !credential.accessToken.startsWith(SANDBOX_TOKEN_PREFIX)) {
      throw new PlatformFailure(authFailure("Sandbox: unknown access token", "revoked", "invalid_token"));
    }
  }

  async listAccounts(credential: PlatformCredential): Promise<PlatformAccount[]> {
    await this.validate(credential);
    const seed =
      credential.kind === "oauth_token"
        ? credential.accessToken
        : `${credential.clientId}:${credential.keyId}`;
    const externalId = await digits(
      `sandbox-account:${this.platform}:${seed}`,
      ACCOUNT_ID_DIGITS[this.platform],
    );
    const label = { meta: "Meta", tiktok: "TikTok", apple: "Apple Search Ads" }[this.platform];
    return [
      {
        externalId,
        name: `Sandbox ${label} ${externalId.slice(-4)}`,
        currency: "USD",
        timezone: "America/New_York",
        settings:
          this.platform === "apple"
            ? { adamId: 1484093487, defaultCountries: ["US"] }
            : { defaultCountries: ["US"] },
      },
    ];
  }

  async listCampaigns(
    credential: PlatformCredential,
    account: { externalId: string },
    cursor: string | null,
  ): Promise<CampaignPage> {
    await this.validate(credential);
    const all = SANDBOX_EXISTING_CAMPAIGNS[this.platform];
    const start = cursor ? Number(cursor) : 0;
    const items: PlatformCampaign[] = [];
    for (const [offset, seed] of all.slice(start, start + SANDBOX_PAGE_SIZE).entries()) {
      const index = start + offset;
      const platformCampaignId = await sandboxCampaignId(
        this.platform,
        `existing:${account.externalId}:${index}`,
      );
      items.push({
        platformCampaignId,
        ...seed,
        outcome: this.platform === "apple" ? "app_installs" : "conversions",
        startTime: "2026-01-05T00:00:00.000Z",
        endTime: null,
        platformSettings: { sandbox: true },
        adSets: [
          {
            platformAdSetId: `${platformCampaignId}01`,
            name: `${seed.name}: ad set 1`,
            status: seed.status.toUpperCase(),
          },
        ],
      });
    }
    const next = start + SANDBOX_PAGE_SIZE < all.length ? String(start + SANDBOX_PAGE_SIZE) : null;
    return { items, next };
  }

  async revoke(): Promise<void> {}
}
