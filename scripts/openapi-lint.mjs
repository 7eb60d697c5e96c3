// Fetches the OpenAPI document the Worker actually serves and lints it with Redocly.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApi } from "./serve.mjs";

const api = await startApi();
let document;
try {
  const res = await fetch(`${api.base}/openapi.json`);
  document = await res.text();
} finally {
  await api.stop();
}
const file = join(mkdtempSync(join(tmpdir(), "openapi-")), "openapi.json");
writeFileSync(file, document);
execFileSync("redocly", ["lint", file, "--config", "redocly.yaml"], { stdio: "inherit" });
