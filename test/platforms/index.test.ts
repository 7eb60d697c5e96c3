import { describe, expect, it } from "vitest";
import { AppleAdapter } from "../../src/platforms/apple";
import {
  adapterFor,
  DEFAULT_PLATFORM_CONFIG,
  type PlatformConfig,
  platformConfigFromEnv,
} from "../../src/platforms/index";
import { MetaAdapter } from "../../src/platforms/meta";
import { SandboxAdapter } from "../../src/platforms/sandbox";
import { TikTokAdapter } from "../../src/platforms/tiktok";
import { adAccount } from "./fixtures";

const config: PlatformConfig = { ...DEFAULT_PLATFORM_CONFIG };
const token = { kind: "oauth_token", accessToken: "t", expiresAt: null } as const;

describe("adapterFor", () => {
  it.each([
    ["meta", MetaAdapter],
    ["tiktok", TikTokAdapter],
    ["apple", AppleAdapter],
  ] as const)("a live %s connection gets the live adapter", (platform, adapterClass) => {
    expect(adapterFor(platform, adAccount(platform), config, false, token)).toBeInstanceOf(adapterClass);
  });

  it("a sandbox connection gets the simulator", () => {
    const adapter = adapterFor("meta", adAccount("meta", { connection: "sandbox" }), config, false, null);
    expect(adapter).toBeInstanceOf(SandboxAdapter);
  });

  it("a test-env key gets the simulator even on a live connection", () => {
    expect(adapterFor("tiktok", adAccount("tiktok"), config, true, null)).toBeInstanceOf(SandboxAdapter);
  });

  it("refuses an account of another platform (a caller bug)", () => {
    expect(() => adapterFor("meta", adAccount("apple"), config, false, token)).toThrow(/apple account/);
  });
});

describe("platformConfigFromEnv", () => {
  it("uses the defaults when nothing is set", () => {
    expect(platformConfigFromEnv({})).toEqual({
      metaApiBase: "https://graph.facebook.com",
      metaApiVersion: "v25.0",
      metaOAuthDialogUrl: "https://www.facebook.com/v25.0/dialog/oauth",
      tiktokApiBase: "https://business-api.tiktok.com/open_api/v1.3",
      tiktokOAuthUrl: "https://business-api.tiktok.com/portal/auth",
      appleApiBase: "https://api.searchads.apple.com/api/v5",
      appleTokenUrl: "https://appleid.apple.com/auth/oauth2/token",
      requestTimeoutMs: 15_000,
    });
  });

  it("reads every variable, and no platform token: credentials belong to ad accounts", () => {
    expect(
      platformConfigFromEnv({
        META_API_BASE: "https://meta.example",
        META_API_VERSION: "v26.0",
        META_OAUTH_DIALOG_URL: "https://meta.example/dialog/oauth",
        META_APP_ID: "meta-app",
        META_APP_SECRET: "meta-secret",
        META_ACCESS_TOKEN: "a global token is ignored",
        TIKTOK_API_BASE: "https://tiktok.example/open_api/v1.3",
        TIKTOK_OAUTH_URL: "https://tiktok.example/portal/auth",
        TIKTOK_APP_ID: "tt-app",
        TIKTOK_APP_SECRET: "tt-secret",
        APPLE_API_BASE: "https://apple.example/api/v5",
        APPLE_TOKEN_URL: "https://appleid.example/token",
        PLATFORM_TIMEOUT_MS: "5000",
      }),
    ).toEqual({
      metaApiBase: "https://meta.example",
      metaApiVersion: "v26.0",
      metaOAuthDialogUrl: "https://meta.example/dialog/oauth",
      metaAppId: "meta-app",
      metaAppSecret: "meta-secret",
      tiktokApiBase: "https://tiktok.example/open_api/v1.3",
      tiktokOAuthUrl: "https://tiktok.example/portal/auth",
      tiktokAppId: "tt-app",
      tiktokAppSecret: "tt-secret",
      appleApiBase: "https://apple.example/api/v5",
      appleTokenUrl: "https://appleid.example/token",
      requestTimeoutMs: 5_000,
    });
  });

  it("ignores empty, non-string and invalid values", () => {
    const parsed = platformConfigFromEnv({
      META_APP_ID: "  ",
      TIKTOK_APP_ID: 42,
      PLATFORM_TIMEOUT_MS: "soon",
    });
    expect(parsed).toEqual(DEFAULT_PLATFORM_CONFIG);
  });
});
