/// <reference types="node" />
import { readFileSync } from "node:fs";
import { expect, inject, it } from "vitest";
import { CLIENT_TYPES, generateClientTypes, servedDocument } from "../scripts/client-generate.mjs";

it("the committed client types are what openapi-typescript makes of the served document", async () => {
  const expected = await generateClientTypes(await servedDocument(inject("apiBase")));
  const committed = readFileSync(CLIENT_TYPES, "utf8");
  expect(committed === expected, "clients/typescript/schema.ts is stale: run `npm run client:generate`").toBe(
    true,
  );
});
