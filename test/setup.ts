import { applyD1Migrations } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { installResponseValidation } from "./helpers/validating-fetch";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Every response a test receives from the Worker must be one the served OpenAPI document allows.
// (The deprecated `SELF` of cloudflare:test forwards to `exports.default`, so it is covered too.)
installResponseValidation(exports.default);
