import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";
import { copyDocsAssets } from "./scripts/docs-assets.mjs";

interface WranglerQueueConsumer {
  queue: string;
  max_batch_size?: number;
  max_retries?: number;
  dead_letter_queue?: string;
  retry_delay?: number;
}

/** Queue batch timeout under test (wrangler.toml deploys 1 s). */
const TEST_QUEUE_BATCH_TIMEOUT_SECONDS = 0.02;

/** Imported by tests but left as they are: vitest itself, and msw's Node interceptors. */
const NOT_PREBUNDLED = new Set(["vitest", "msw", "msw/node"]);

/**
 * Every package specifier src/ and test/ import at run time (`import type` aside), so that
 * Vite pre-bundles them once per run (esbuild) instead of loading each of their modules one by
 * one into every test file's fresh isolate. All of them, so that no package loads twice (once
 * bundled inside another, once on its own); a new import is picked up by itself.
 */
function prebundledDependencies(): string[] {
  const found = new Set<string>();
  const imports =
    /^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)|^\s*import\s+"([^"]+)"/gm;
  for (const dir of ["src", "test"]) {
    for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      if (!/\.(ts|mts|js|mjs)$/.test(file)) continue;
      for (const m of readFileSync(join(dir, file), "utf8").matchAll(imports)) {
        const specifier = m[1] ?? m[2] ?? m[3] ?? "";
        if (/^[@a-z]/.test(specifier) && !/^(cloudflare|node):/.test(specifier)) found.add(specifier);
      }
    }
  }
  return [...found].filter((s) => !NOT_PREBUNDLED.has(s)).sort();
}

// Two projects, one report: "workers" runs inside workerd (real D1, Durable Objects, Queues);
// "node" drives a real `wrangler dev` from outside, e.g. headless chromium against /docs.
export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must hold the /docs bundle before any Worker starts.
  copyDocsAssets();
  const migrations = await readD1Migrations("./migrations");
  // wrangler.toml's queue consumers, with a test-only batch timeout: a lone message is handed
  // to the consumer after 20 ms instead of the deployed 1 s, so flows through the queue do not
  // idle on it (batching, retries and dead-lettering stay as deployed).
  const consumers: WranglerQueueConsumer[] =
    unstable_readConfig({ config: "./wrangler.toml" }).queues.consumers ?? [];
  const queueConsumers = Object.fromEntries(
    consumers.map((c) => [
      c.queue,
      {
        maxBatchSize: c.max_batch_size,
        maxBatchTimeout: TEST_QUEUE_BATCH_TIMEOUT_SECONDS,
        maxRetries: c.max_retries,
        deadLetterQueue: c.dead_letter_queue,
        retryDelay: c.retry_delay,
      },
    ]),
  );
  return {
    test: {
      // Every request prints one structured log line; show them only for failing tests.
      silent: "passed-only" as const,
      // Most of a file's time is spent waiting on queues, alarms and retry timers, not on CPU:
      // run three files at once on a 2-core machine (vitest's default is one fewer than cores).
      maxWorkers: 3,
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                queueConsumers,
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ENVIRONMENT: "test",
                  DISPATCH_MAX_ATTEMPTS: "3",
                  // Test-only retry scales (deployed: wrangler.toml [vars]). Outbox: every first
                  // redelivery after 1 s (the floor) instead of 1-2 s. Webhooks: the ladder runs
                  // 0.25 s, 1 s, 5 s, … instead of 1 s, 4 s, 20 s, … (same shape, same jitter).
                  OUTBOX_BACKOFF_BASE_SECONDS: "1",
                  // Dispatch retries wait the 1 s floor (nextRetryDelay) instead of 1-2 s.
                  DISPATCH_BACKOFF_BASE_SECONDS: "0.5",
                  WEBHOOK_BACKOFF_BASE_SECONDS: "0.25",
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
            deps: { optimizer: { ssr: { enabled: true, include: prebundledDependencies() } } },
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
