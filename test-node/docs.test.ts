/// <reference types="node" />
/**
 * GET /docs in a real browser: Debian's headless chromium (playwright-core) against
 * `wrangler dev` (test-node/global-setup.ts), with every request beyond the local server refused.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../scripts/chromium.mjs";

type Browser = Awaited<ReturnType<typeof launchChromium>>;
const api = { base: inject("apiBase") };
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium(api.base);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${api.base}/docs`);
});

afterAll(async () => {
  await browser?.close();
});

async function documentedTags(): Promise<string[]> {
  const document = (await (await fetch(`${api.base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { tags?: string[] }>>;
  };
  const tags = Object.values(document.paths).flatMap((item) =>
    Object.values(item).flatMap((o) => o.tags ?? []),
  );
  return [...new Set(tags)];
}

describe("GET /docs", () => {
  it("renders a section for every tag of the served document, offline", async () => {
    const tags = await documentedTags();
    expect(tags.length).toBeGreaterThan(5);
    for (const tag of tags) {
      await expect
        .poll(() => page.getByRole("heading", { name: tag, exact: true }).count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
    }
    expect(browser.external, "requests beyond the local server").toEqual([]);
  });

  it("shows none of Scalar's cloud features", async () => {
    const text = await page.locator("body").textContent();
    for (const feature of [
      "Ask AI",
      "Generate MCP",
      "Connect MCP",
      "Generate SDK",
      "Deploy",
      "Developer Tools",
    ]) {
      expect(text, feature).not.toContain(feature);
    }
  });

  it("sends a 'try it' request to the local server with the demo key", async () => {
    const tenant = JSON.parse(readFileSync(".dev-tenant.json", "utf8")) as {
      organizationId: string;
      keys: { partner: string };
    };
    // Scalar renders operations lazily: go to whoami from the sidebar, as a reader would.
    await page.getByRole("link", { name: "Who the calling API key is" }).first().click();
    await page.getByRole("button", { name: /Test Request.*get \/v1\/whoami/ }).click();
    const client = page.getByRole("dialog");
    await client.getByPlaceholder("Token").fill(tenant.keys.partner);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${api.base}/v1/whoami`),
      client.getByRole("button", { name: /^Send/ }).first().click(),
    ]);
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({
      organizationId: tenant.organizationId,
      actorType: "partner",
    });
    await expect.poll(() => client.textContent(), { timeout: 15_000 }).toContain(tenant.organizationId);
    expect(browser.external, "requests beyond the local server").toEqual([]);
  });
});
