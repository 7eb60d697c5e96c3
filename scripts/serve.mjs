// Starts `wrangler dev` on a free loopback port for scripts (OpenAPI lint, bench) and
// stops it when asked. The local D1 is migrated and seeded first.
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { copyDocsAssets } from "./docs-assets.mjs";
import { persistArgs } from "./local-state.mjs";

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startApi({ seed = true, vars = {} } = {}) {
  copyDocsAssets();
  if (seed) execFileSync("node", ["scripts/seed.mjs"], { stdio: ["ignore", "ignore", "inherit"] });
  const port = await freePort();
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    "wrangler",
    ["dev", "--port", String(port), "--ip", "127.0.0.1", ...persistArgs(), ...varArgs],
    {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    /** Everything wrangler dev printed so far, the Worker's console.log lines included. */
    output: () => output,
    async stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 300));
    },
  };
}
