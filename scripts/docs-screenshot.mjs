// `npm run docs:screenshot [file.png]`: starts the API on a free port, renders /docs in
// headless chromium (offline: nothing beyond the local server is reachable) and writes a PNG.
import { resolve } from "node:path";
import { launchChromium } from "./chromium.mjs";
import { startApi } from "./serve.mjs";

const file = resolve(process.argv[2] ?? "docs-screenshot.png");
const api = await startApi();
let browser;
try {
  browser = await launchChromium(api.base);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${api.base}/docs`);
  await page.getByRole("heading", { name: "Ads Partner API" }).first().waitFor({ timeout: 30_000 });
  await page.getByRole("heading", { name: "Campaigns", exact: true }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: file });
  console.log(`wrote ${file}`);
  if (browser.external.length > 0)
    console.warn(`refused requests beyond the local server: ${browser.external}`);
} finally {
  await browser?.close();
  await api.stop();
}
