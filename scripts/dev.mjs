// `npm run dev`: migrate and seed the local D1 (idempotent), then serve the API with
// wrangler on http://localhost:8787 (or $PORT).
import { execFileSync, spawn } from "node:child_process";
import { copyDocsAssets } from "./docs-assets.mjs";

execFileSync("node", ["scripts/seed.mjs"], { stdio: "inherit" });
copyDocsAssets();
const port = process.env.PORT ?? "8787";
const child = spawn("wrangler", ["dev", "--port", port, "--ip", "127.0.0.1", ...process.argv.slice(2)], {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
