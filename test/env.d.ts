import type { D1Migration } from "cloudflare:test";

// Bindings, the main module and the Durable Object names come from src/worker-configuration.d.ts
// (`npm run cf-typegen`); the tests add the migrations they apply.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
