import type { Platform } from "../domain/platform-rules";
import { AppleAdapter } from "./apple";
import { APPLE_DEFAULT_TOKEN_URL, type AppleOAuthCredentials } from "./apple-auth";
import { MetaAdapter } from "./meta";
import { SandboxAdapter } from "./sandbox";
import { TikTokAdapter } from "./tiktok";
import type { AdAccountConnection, PlatformAdapter, PlatformCredential } from "./types";

export type {
  AdAccountConnection,
  PlatformAdapter,
  PlatformCredential,
  PlatformOperation,
  PlatformResult,
} from "./types";

/**
 * Where the live adapters reach the platforms and the app's own OAuth client, from env vars and
 * secrets, never from code. No access token lives here: each ad account brings its own
 * (src/connections/credentials.ts).
 */
export interface PlatformConfig {
  metaApiBase: string;
  metaApiVersion: string;
  /** Meta's OAuth dialog, e.g. https://www.facebook.com/v25.0/dialog/oauth. */
  metaOAuthDialogUrl: string;
  metaAppId?: string;
  metaAppSecret?: string;
  tiktokApiBase: string;
  /** TikTok's advertiser authorization page (from the app's portal page). */
  tiktokOAuthUrl: string;
  tiktokAppId?: string;
  tiktokAppSecret?: string;
  appleApiBase: string;
  appleTokenUrl: string;
  requestTimeoutMs: number;
}

export const DEFAULT_PLATFORM_CONFIG: PlatformConfig = {
  metaApiBase: "https://graph.facebook.com",
  metaApiVersion: "v25.0",
  metaOAuthDialogUrl: "https://www.facebook.com/v25.0/dialog/oauth",
  tiktokApiBase: "https://business-api.tiktok.com/open_api/v1.3",
  tiktokOAuthUrl: "https://business-api.tiktok.com/portal/auth",
  appleApiBase: "https://api.searchads.apple.com/api/v5",
  appleTokenUrl: APPLE_DEFAULT_TOKEN_URL,
  requestTimeoutMs: 15_000,
};

function envString(env: Record<string, unknown>, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * Reads META_API_BASE, META_API_VERSION, META_OAUTH_DIALOG_URL, META_APP_ID, META_APP_SECRET,
 * TIKTOK_API_BASE, TIKTOK_OAUTH_URL, TIKTOK_APP_ID, TIKTOK_APP_SECRET, APPLE_API_BASE,
 * APPLE_TOKEN_URL and PLATFORM_TIMEOUT_MS; every one is optional.
 */
export function platformConfigFromEnv(env: Record<string, unknown>): PlatformConfig {
  const d = DEFAULT_PLATFORM_CONFIG;
  const config: PlatformConfig = {
    metaApiBase: envString(env, "META_API_BASE") ?? d.metaApiBase,
    metaApiVersion: envString(env, "META_API_VERSION") ?? d.metaApiVersion,
    metaOAuthDialogUrl: envString(env, "META_OAUTH_DIALOG_URL") ?? d.metaOAuthDialogUrl,
    tiktokApiBase: envString(env, "TIKTOK_API_BASE") ?? d.tiktokApiBase,
    tiktokOAuthUrl: envString(env, "TIKTOK_OAUTH_URL") ?? d.tiktokOAuthUrl,
    appleApiBase: envString(env, "APPLE_API_BASE") ?? d.appleApiBase,
    appleTokenUrl: envString(env, "APPLE_TOKEN_URL") ?? d.appleTokenUrl,
    requestTimeoutMs: d.requestTimeoutMs,
  };
  const timeoutMs = Number(envString(env, "PLATFORM_TIMEOUT_MS"));
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) config.requestTimeoutMs = timeoutMs;
  const optional = {
    metaAppId: "META_APP_ID",
    metaAppSecret: "META_APP_SECRET",
    tiktokAppId: "TIKTOK_APP_ID",
    tiktokAppSecret: "TIKTOK_APP_SECRET",
  } as const;
  for (const [field, name] of Object.entries(optional) as [keyof typeof optional, string][]) {
    const value = envString(env, name);
    if (value !== undefined) config[field] = value;
  }
  return config;
}

const sandboxAdapter = new SandboxAdapter();

/**
 * The adapter a job dispatches through: the simulator for sandbox connections and for requests
 * made with a test-env key (`sandbox`), the platform's live API with the account's own
 * credentials otherwise.
 */
export function adapterFor(
  platform: Platform,
  account: AdAccountConnection,
  config: PlatformConfig,
  sandbox: boolean,
  credential: PlatformCredential | null,
): PlatformAdapter {
  if (account.platform !== platform) {
    throw new Error(`Ad account ${account.adAccountId} is a ${account.platform} account, not ${platform}`);
  }
  if (sandbox || account.connection === "sandbox") return sandboxAdapter;
  const accessToken = credential?.kind === "oauth_token" ? credential.accessToken : undefined;
  switch (platform) {
    case "meta":
      return new MetaAdapter({
        apiBase: config.metaApiBase,
        apiVersion: config.metaApiVersion,
        accessToken,
        timeoutMs: config.requestTimeoutMs,
      });
    case "tiktok":
      return new TikTokAdapter({
        apiBase: config.tiktokApiBase,
        accessToken,
        timeoutMs: config.requestTimeoutMs,
      });
    case "apple":
      return new AppleAdapter({
        apiBase: config.appleApiBase,
        accessToken: undefined,
        oauth: credential?.kind === "apple_api_user" ? appleOAuth(credential, config) : undefined,
        timeoutMs: config.requestTimeoutMs,
      });
  }
}

export function appleOAuth(
  credential: Extract<PlatformCredential, { kind: "apple_api_user" }>,
  config: PlatformConfig,
): AppleOAuthCredentials {
  const { clientId, teamId, keyId, privateKeyPem } = credential;
  return { clientId, teamId, keyId, privateKeyPem, tokenUrl: config.appleTokenUrl };
}
