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
            OPERATOR_TOKEN: "test-operator-token",
            META_ACCESS_TOKEN: "test-meta-token",
            TIKTOK_ACCESS_TOKEN: "test-tiktok-token",
            APPLE_ACCESS_TOKEN: "test-apple-token",
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
