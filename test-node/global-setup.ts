/// <reference types="node" />
/** One `wrangler dev` for the node-side tests, on a free port with fresh local state. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startApi } from "../scripts/serve.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    apiBase: string;
  }
}

export default async function setup(project: TestProject) {
  // The seed reuses the demo keys' secrets from .dev-tenant.json, so a running `npm run dev` keeps working.
  const state = mkdtempSync(join(tmpdir(), "node-tests-state-"));
  process.env.WRANGLER_PERSIST_TO = state;
  const api = await startApi();
  project.provide("apiBase", api.base);
  return async () => {
    await api.stop();
    rmSync(state, { recursive: true, force: true });
  };
}
