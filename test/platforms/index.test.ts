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

const config: PlatformConfig = { ...DEFAULT_PLATFORM_CONFIG, metaAccessToken: "t" };

describe("adapterFor", () => {
  it.each([
    ["meta", MetaAdapter],
    ["tiktok", TikTokAdapter],
    ["apple", AppleAdapter],
  ] as const)("a live %s connection gets the live adapter", (platform, adapterClass) => {
    expect(adapterFor(platform, adAccount(platform), config, false)).toBeInstanceOf(adapterClass);
  });

  it("a sandbox connection gets the simulator", () => {
    const adapter = adapterFor("meta", adAccount("meta", { connection: "sandbox" }), config, false);
    expect(adapter).toBeInstanceOf(SandboxAdapter);
  });

  it("a test-env key gets the simulator even on a live connection", () => {
    expect(adapterFor("tiktok", adAccount("tiktok"), config, true)).toBeInstanceOf(SandboxAdapter);
  });

  it("refuses an account of another platform (a caller bug)", () => {
    expect(() => adapterFor("meta", adAccount("apple"), config, false)).toThrow(/apple account/);
  });
});

describe("platformConfigFromEnv", () => {
  it("uses the defaults when nothing is set", () => {
    expect(platformConfigFromEnv({})).toEqual({
      metaApiBase: "https://graph.facebook.com",
      metaApiVersion: "v25.0",
      tiktokApiBase: "https://business-api.tiktok.com/open_api/v1.3",
      appleApiBase: "https://api.searchads.apple.com/api/v5",
      requestTimeoutMs: 15_000,
    });
  });

  it("reads every variable", () => {
    expect(
      platformConfigFromEnv({
        META_API_BASE: "https://meta.example",
        META_API_VERSION: "v26.0",
        META_ACCESS_TOKEN: "meta-token",
        TIKTOK_API_BASE: "https://tiktok.example/open_api/v1.3",
        TIKTOK_ACCESS_TOKEN: "tiktok-token",
        APPLE_API_BASE: "https://apple.example/api/v5",
        APPLE_ACCESS_TOKEN: "apple-token",
        APPLE_CLIENT_ID: "client",
        APPLE_TEAM_ID: "team",
        APPLE_KEY_ID: "key",
        APPLE_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----…",
        APPLE_TOKEN_URL: "https://appleid.example/token",
        PLATFORM_TIMEOUT_MS: "5000",
      }),
    ).toEqual({
      metaApiBase: "https://meta.example",
      metaApiVersion: "v26.0",
      metaAccessToken: "meta-token",
      tiktokApiBase: "https://tiktok.example/open_api/v1.3",
      tiktokAccessToken: "tiktok-token",
      appleApiBase: "https://apple.example/api/v5",
      appleAccessToken: "apple-token",
      appleOAuth: {
        clientId: "client",
        teamId: "team",
        keyId: "key",
        privateKeyPem: "-----BEGIN PRIVATE KEY-----…",
        tokenUrl: "https://appleid.example/token",
      },
      requestTimeoutMs: 5_000,
    });
  });

  it("ignores empty, non-string and invalid values; OAuth needs all four credentials", () => {
    const parsed = platformConfigFromEnv({
      META_ACCESS_TOKEN: "  ",
      TIKTOK_ACCESS_TOKEN: 42,
      PLATFORM_TIMEOUT_MS: "soon",
      APPLE_CLIENT_ID: "client",
      APPLE_TEAM_ID: "team",
      APPLE_KEY_ID: "key",
    });
    expect(parsed).toEqual(DEFAULT_PLATFORM_CONFIG);
  });

  it("defaults the Apple token endpoint to Apple's", () => {
    const parsed = platformConfigFromEnv({
      APPLE_CLIENT_ID: "client",
      APPLE_TEAM_ID: "team",
      APPLE_KEY_ID: "key",
      APPLE_PRIVATE_KEY: "pem",
    });
    expect(parsed.appleOAuth?.tokenUrl).toBe("https://appleid.apple.com/auth/oauth2/token");
  });
});
