// `npm run dev`: migrate and seed the local D1 (idempotent), then serve the API with
// wrangler on http://localhost:8787 (or $PORT), both against WRANGLER_PERSIST_TO when set.
import { execFileSync, spawn } from "node:child_process";
import { copyDocsAssets } from "./docs-assets.mjs";
import { devArgs } from "./local-state.mjs";

execFileSync("node", ["scripts/seed.mjs"], { stdio: "inherit" });
copyDocsAssets();
const port = process.env.PORT ?? "8787";
const child = spawn("wrangler", devArgs({ port, extra: process.argv.slice(2) }), {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
