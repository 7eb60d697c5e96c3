import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENVIRONMENT: "test",
            DISPATCH_MAX_ATTEMPTS: "3",
            OUTBOX_DELIVERY: "before_response",
            // Test-only vault key (32 bytes, base64); real deployments set the CREDENTIALS_KEY secret.
            CREDENTIALS_KEY: "dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0zMmI=",
            META_APP_ID: "test-meta-app",
            META_APP_SECRET: "test-meta-app-secret",
            TIKTOK_APP_ID: "test-tiktok-app",
            TIKTOK_APP_SECRET: "test-tiktok-app-secret",
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
