/**
 * The typed TypeScript client: types generated from the served OpenAPI document
 * (`schema.ts`, `npm run client:generate`), calls through openapi-fetch. Nothing here is
 * written by hand beyond the key and the base URL.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.ts";

export type { components, operations, paths };
export type AdsPartnerClient = Client<paths>;
export type Schemas = components["schemas"];

export interface AdsPartnerClientOptions {
  /** e.g. http://localhost:8787 */
  baseUrl: string;
  /** An API key `lp_<env>_<keyId>_<secret>`. */
  apiKey: string;
  /** A custom fetch (tests pass the Worker's own). */
  fetch?: (request: Request) => Promise<Response>;
}

export function createAdsPartnerClient(options: AdsPartnerClientOptions): AdsPartnerClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
