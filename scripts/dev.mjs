// `npm run dev`: migrate and seed the local D1 (idempotent), then serve the API with
// wrangler on http://localhost:8787 (or $PORT), both against WRANGLER_PERSIST_TO when set.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { copyDocsAssets } from "./docs-assets.mjs";
import { devArgs } from "./local-state.mjs";

// The credentials vault needs a key-encryption key; local dev gets its own random one.
const devVars = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
if (!/^CREDENTIALS_KEY=/m.test(devVars)) {
  appendFileSync(
    ".dev.vars",
    `${devVars && !devVars.endsWith("\n") ? "\n" : ""}CREDENTIALS_KEY=${randomBytes(32).toString("base64")}\n`,
  );
}

execFileSync("node", ["scripts/seed.mjs"], { stdio: "inherit" });
copyDocsAssets();
const port = process.env.PORT ?? "8787";
const child = spawn("wrangler", devArgs({ port, extra: process.argv.slice(2) }), {
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
