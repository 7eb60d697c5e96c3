// Copies Scalar's standalone browser bundle out of node_modules into the Workers Static Assets
// directory, where /docs loads it from (served by the platform, never part of the Worker bundle).
// dev, the tests, every script that starts the API and deploy run this; the copy is not committed.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ASSETS_DIR = join(root, "static");
export const SCALAR_BUNDLE = "docs/scalar-standalone.js";

export function copyDocsAssets() {
  const source = join(root, "node_modules/@scalar/api-reference/dist/browser/standalone.js");
  const target = join(ASSETS_DIR, SCALAR_BUNDLE);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  return target;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(`copied ${copyDocsAssets()}`);
