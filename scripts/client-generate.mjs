// `npm run client:generate`: regenerates clients/typescript/schema.ts with openapi-typescript
// from the document the Worker serves at GET /openapi.json (started on a free port).
// test-node/client-types.test.ts fails while the committed file differs from what this writes.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { startApi } from "./serve.mjs";

export const CLIENT_TYPES = join(dirname(fileURLToPath(import.meta.url)), "../clients/typescript/schema.ts");

/** The client's types for `document`, as the committed file must read. */
export async function generateClientTypes(document) {
  const ast = await openapiTS(document, { alphabetize: false, immutable: false });
  return `${COMMENT_HEADER}// Regenerate with \`npm run client:generate\` (from the served GET /openapi.json).\n\n${astToString(ast)}`;
}

export async function servedDocument(base) {
  const res = await fetch(`${base}/openapi.json`);
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  return res.json();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const api = await startApi();
  try {
    writeFileSync(CLIENT_TYPES, await generateClientTypes(await servedDocument(api.base)));
    console.log(`wrote ${CLIENT_TYPES}`);
  } finally {
    await api.stop();
  }
}
