/**
 * Owns turning response validation on for the whole suite: the Worker's fetch, as every test
 * reaches it (`exports.default.fetch`, the deprecated `SELF.fetch`), is wrapped so that a
 * response the served OpenAPI document does not allow rejects the call, failing the test that
 * made it.
 */
import { type OpenApiDocument, type ResponseContract, responseContract } from "./response-contract";

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export class ResponseContractError extends Error {
  constructor(readonly violations: string[]) {
    super(`response does not match the served OpenAPI document:\n${violations.join("\n")}`);
    this.name = "ResponseContractError";
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const WRAPPED = Symbol.for("ads-partner-api.validating-fetch");

/** Wraps `fetch` so every response is checked against the contract `loadContract` yields. */
export function validatingFetch(fetch: Fetch, loadContract: () => Promise<ResponseContract>): Fetch {
  const wrapped: Fetch = async (input, init) => {
    const request = new Request(input, init);
    const { method } = request;
    const path = new URL(request.url).pathname;
    const response = await fetch(request);
    const bytes = await response.arrayBuffer();
    const violations = (await loadContract()).check({
      method,
      path,
      status: response.status,
      contentType: response.headers.get("Content-Type"),
      text: new TextDecoder().decode(bytes),
    });
    if (violations.length > 0) throw new ResponseContractError(violations);
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return Object.assign(wrapped, { [WRAPPED]: true });
}

export function isValidating(fetch: unknown): boolean {
  return typeof fetch === "function" && WRAPPED in fetch;
}

/** The contract built from the document the Worker serves at GET /openapi.json, fetched once. */
export function servedContract(fetch: Fetch): () => Promise<ResponseContract> {
  let contract: Promise<ResponseContract> | undefined;
  return () => {
    contract ??= (async () => {
      const res = await fetch(new Request("https://api.test/openapi.json"));
      if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
      return responseContract((await res.json()) as OpenApiDocument);
    })();
    return contract;
  };
}

/** Replaces `target.fetch` with its validating wrapper (once). */
export function installResponseValidation(target: { fetch: Fetch }): void {
  if (isValidating(target.fetch)) return;
  const original = target.fetch.bind(target);
  target.fetch = validatingFetch(original, servedContract(original));
}
