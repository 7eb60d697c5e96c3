import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/docs-assets.mjs";

// Two projects, one report: "workers" runs inside workerd (real D1, Durable Objects, Queues);
// "node" drives a real `wrangler dev` from outside, e.g. headless chromium against /docs.
export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must hold the /docs bundle before any Worker starts.
  copyDocsAssets();
  const migrations = await readD1Migrations("./migrations");
  return {
    test: {
      // Every request prints one structured log line; show them only for failing tests.
      silent: "passed-only" as const,
      projects: [
        {
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
                  // Test-only vault key (32 bytes, base64); deployments set the CREDENTIALS_KEY secret.
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
            name: "workers",
            include: ["test/**/*.test.ts"],
            setupFiles: ["./test/setup.ts"],
            testTimeout: 30_000,
            hookTimeout: 30_000,
          },
        },
        {
          test: {
            name: "node",
            include: ["test-node/**/*.test.ts"],
            environment: "node",
            globalSetup: ["./test-node/global-setup.ts"],
            fileParallelism: false,
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
