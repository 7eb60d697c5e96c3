import type { BrowserContext } from "playwright-core";
export const CHROMIUM_PATH: string;
export function launchChromium(base: string): Promise<{
  context: BrowserContext;
  /** URLs the page tried to reach beyond the local server (all refused). */
  external: string[];
  close(): Promise<void>;
}>;
