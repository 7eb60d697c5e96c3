import type { Platform } from "../domain/platform-rules";
import { AppleAdapter } from "./apple";
import { APPLE_DEFAULT_TOKEN_URL, type AppleOAuthCredentials } from "./apple-auth";
import { MetaAdapter } from "./meta";
import { SandboxAdapter } from "./sandbox";
import { TikTokAdapter } from "./tiktok";
import type { AdAccountConnection, PlatformAdapter } from "./types";

export type { AdAccountConnection, PlatformAdapter, PlatformOperation, PlatformResult } from "./types";

/** Where and how the live adapters reach the platforms; from env vars and secrets, never from code. */
export interface PlatformConfig {
  metaApiBase: string;
  metaApiVersion: string;
  metaAccessToken?: string;
  tiktokApiBase: string;
  tiktokAccessToken?: string;
  appleApiBase: string;
  /** A ready bearer token; used when no OAuth credentials are configured. */
  appleAccessToken?: string;
  /** Client-credentials OAuth (preferred: Apple's access tokens live about an hour). */
  appleOAuth?: AppleOAuthCredentials;
  requestTimeoutMs: number;
}

export const DEFAULT_PLATFORM_CONFIG: PlatformConfig = {
  metaApiBase: "https://graph.facebook.com",
  metaApiVersion: "v25.0",
  tiktokApiBase: "https://business-api.tiktok.com/open_api/v1.3",
  appleApiBase: "https://api.searchads.apple.com/api/v5",
  requestTimeoutMs: 15_000,
};

function envString(env: Record<string, unknown>, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Reads META_API_BASE, META_API_VERSION, META_ACCESS_TOKEN, TIKTOK_API_BASE, TIKTOK_ACCESS_TOKEN,
 * APPLE_API_BASE, APPLE_ACCESS_TOKEN, APPLE_CLIENT_ID, APPLE_TEAM_ID, APPLE_KEY_ID,
 * APPLE_PRIVATE_KEY, APPLE_TOKEN_URL and PLATFORM_TIMEOUT_MS; every one is optional.
 */
export function platformConfigFromEnv(env: Record<string, unknown>): PlatformConfig {
  const config: PlatformConfig = {
    metaApiBase: envString(env, "META_API_BASE") ?? DEFAULT_PLATFORM_CONFIG.metaApiBase,
    metaApiVersion: envString(env, "META_API_VERSION") ?? DEFAULT_PLATFORM_CONFIG.metaApiVersion,
    tiktokApiBase: envString(env, "TIKTOK_API_BASE") ?? DEFAULT_PLATFORM_CONFIG.tiktokApiBase,
    appleApiBase: envString(env, "APPLE_API_BASE") ?? DEFAULT_PLATFORM_CONFIG.appleApiBase,
    requestTimeoutMs: DEFAULT_PLATFORM_CONFIG.requestTimeoutMs,
  };
  const timeoutMs = Number(envString(env, "PLATFORM_TIMEOUT_MS"));
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) config.requestTimeoutMs = timeoutMs;

  const metaAccessToken = envString(env, "META_ACCESS_TOKEN");
  if (metaAccessToken !== undefined) config.metaAccessToken = metaAccessToken;
  const tiktokAccessToken = envString(env, "TIKTOK_ACCESS_TOKEN");
  if (tiktokAccessToken !== undefined) config.tiktokAccessToken = tiktokAccessToken;
  const appleAccessToken = envString(env, "APPLE_ACCESS_TOKEN");
  if (appleAccessToken !== undefined) config.appleAccessToken = appleAccessToken;

  const clientId = envString(env, "APPLE_CLIENT_ID");
  const teamId = envString(env, "APPLE_TEAM_ID");
  const keyId = envString(env, "APPLE_KEY_ID");
  const privateKeyPem = envString(env, "APPLE_PRIVATE_KEY");
  if (clientId && teamId && keyId && privateKeyPem) {
    config.appleOAuth = {
      clientId,
      teamId,
      keyId,
      privateKeyPem,
      tokenUrl: envString(env, "APPLE_TOKEN_URL") ?? APPLE_DEFAULT_TOKEN_URL,
    };
  }
  return config;
}

const sandboxAdapter = new SandboxAdapter();

/**
 * The adapter a job dispatches through: the simulator for sandbox connections and for requests
 * made with a test-env key (`sandbox`), the platform's live API otherwise.
 */
export function adapterFor(
  platform: Platform,
  account: AdAccountConnection,
  config: PlatformConfig,
  sandbox: boolean,
): PlatformAdapter {
  if (account.platform !== platform) {
    throw new Error(`Ad account ${account.adAccountId} is a ${account.platform} account, not ${platform}`);
  }
  if (sandbox || account.connection === "sandbox") return sandboxAdapter;
  switch (platform) {
    case "meta":
      return new MetaAdapter({
        apiBase: config.metaApiBase,
        apiVersion: config.metaApiVersion,
        accessToken: config.metaAccessToken,
        timeoutMs: config.requestTimeoutMs,
      });
    case "tiktok":
      return new TikTokAdapter({
        apiBase: config.tiktokApiBase,
        accessToken: config.tiktokAccessToken,
        timeoutMs: config.requestTimeoutMs,
      });
    case "apple":
      return new AppleAdapter({
        apiBase: config.appleApiBase,
        accessToken: config.appleAccessToken,
        oauth: config.appleOAuth,
        timeoutMs: config.requestTimeoutMs,
      });
  }
}
