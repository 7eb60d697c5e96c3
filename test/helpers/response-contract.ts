/**
 * Owns checking a response against the served OpenAPI document: the status must be one the
 * document lists for the operation the request named, and the body must be valid under that
 * response's JSON Schema (2020-12, Ajv + ajv-formats).
 *
 * Inside the workers test pool, workerd permits code generation (the pool runs with
 * unsafe-eval for its own module runner), so Ajv compiles its validators at run time here;
 * nothing of this reaches the Worker bundle.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, unknown> };
}

export interface ObservedResponse {
  method: string;
  /** The URL's pathname, as sent. */
  path: string;
  status: number;
  contentType: string | null;
  text: string;
}

/** Paths the Worker serves beside the API itself; the API document does not describe them. */
const OUTSIDE_THE_DOCUMENT = [/^\/healthz(\/write)?$/, /^\/openapi\.json$/, /^\/docs(\/.*)?$/];

/**
 * A request naming no documented operation is answered by the API's own fallbacks: 401 under
 * /v1 (authentication runs before routing) or 404, both in the error envelope.
 */
const UNMATCHED_STATUSES = [401, 404];

const DOCUMENT_ID = "https://api.test/openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Record<string, ResponseObject>;
  name: string;
}

export interface ResponseContract {
  /** Every way the response departs from the document; empty when it conforms. */
  check(observed: ObservedResponse): string[];
}

export function responseContract(document: OpenApiDocument): ResponseContract {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addKeyword("example");
  // The shared schemas, reachable as `#/components/schemas/…` from every response schema.
  ajv.addKeyword("components");
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components ?? {} });
  const validators = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: unknown) => {
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(anchorRefs(schema) as object);
      validators.set(key, validate);
    }
    return validate;
  };
  const operations = listOperations(document);

  return {
    check(observed) {
      if (OUTSIDE_THE_DOCUMENT.some((p) => p.test(observed.path))) return [];
      const label = `${observed.method} ${observed.path} → ${observed.status}`;
      const method = observed.method === "HEAD" ? "get" : observed.method.toLowerCase();
      const operation = matchOperation(operations, method, observed.path);
      if (!operation) {
        if (!UNMATCHED_STATUSES.includes(observed.status)) {
          return [
            `${label}: the request names no documented operation, so only ${UNMATCHED_STATUSES.join(" or ")} in the error envelope may answer it`,
          ];
        }
        if (observed.method === "HEAD") return [];
        const envelope = { schema: { $ref: "#/components/schemas/Error" } };
        return checkBody(label, observed, envelope, () => validator("unmatched", envelope.schema));
      }
      const documented = operation.responses[String(observed.status)];
      if (!documented) {
        return [
          `${label}: status ${observed.status} is not documented for ${operation.name} (documented: ${Object.keys(operation.responses).join(", ")})`,
        ];
      }
      if (observed.method === "HEAD") return [];
      const json = documented.content?.["application/json"];
      // A documented non-JSON body (the sandbox consent page's text/html) is checked by media type only.
      const other = Object.keys(documented.content ?? {}).filter((type) => type !== "application/json");
      if (!json && other.some((type) => observed.contentType?.toLowerCase().startsWith(type))) return [];
      const key = `${operation.method} ${operation.template} ${observed.status}`;
      return checkBody(`${label} (${operation.name})`, observed, json, () => validator(key, json?.schema));
    },
  };
}

function checkBody(
  label: string,
  observed: ObservedResponse,
  json: MediaType | undefined,
  validate: () => ValidateFunction,
): string[] {
  if (!json) {
    return observed.text === ""
      ? []
      : [`${label}: the document lists no body for it, got ${preview(observed.text)}`];
  }
  if (!observed.contentType?.toLowerCase().startsWith("application/json")) {
    return [`${label}: documented as application/json, got Content-Type ${observed.contentType}`];
  }
  let body: unknown;
  try {
    body = JSON.parse(observed.text);
  } catch {
    return [`${label}: the body is not JSON: ${preview(observed.text)}`];
  }
  if (!json.schema) return [];
  const check = validate();
  if (check(body)) return [];
  return [
    `${label}: the body does not match its schema: ${describe(check.errors)}; body: ${preview(observed.text)}`,
  ];
}

function listOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const segments = template.split("/");
      const pattern = segments
        .map((s) => (/^\{[^}]+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
      operations.push({
        method,
        template,
        pattern: new RegExp(`^${pattern}$`),
        literalSegments: segments.filter((s) => !s.startsWith("{")).length,
        responses: operation.responses ?? {},
        name: operation.operationId ?? `${method.toUpperCase()} ${template}`,
      });
    }
  }
  // A literal segment wins over a parameter where two templates fit the same path.
  return operations.sort((a, b) => b.literalSegments - a.literalSegments);
}

function matchOperation(operations: Operation[], method: string, path: string): Operation | undefined {
  return operations.find((o) => o.method === method && o.pattern.test(path));
}

/** A copy of `schema` whose document-local `$ref`s point into the registered components. */
function anchorRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchorRefs);
  if (!schema || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" && v.startsWith("#") ? `${DOCUMENT_ID}${v}` : anchorRefs(v),
    ]),
  );
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "(root)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`)
    .join("; ");
}

function preview(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
