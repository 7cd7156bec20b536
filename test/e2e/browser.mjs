// Debian's Chromium driven by playwright-core (no browser download, ever),
// phone-width screenshots, and axe-core on the page as the shopper sees it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";
import { projectRoot } from "../../scripts/lib/paths.mjs";

export const ARTIFACTS = join(projectRoot, "artifacts/e2e");
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser() {
  return chromium.launch({
    executablePath: EXECUTABLE,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A page whose requests always reach the network: the demo's public pages are
 * cacheable for 60 s, and a page from the browser's own cache would say nothing about stayopen.
 */
export async function uncachedPage(context) {
  const page = await context.newPage();
  // Playwright documents that routing turns the HTTP cache off; every request simply continues.
  await page.route("**/*", (route) => route.continue());
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * WCAG 2.1 A/AA violations on the page. `disableRules` is only for rules broken
 * by the demo shop's own markup, never for pages stayopen renders.
 */
export async function axeViolations(page, { disableRules = [] } = {}) {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .disableRules(disableRules)
    .analyze();
  return result.violations.map((v) => `${v.id} (${v.nodes.length}×: ${v.nodes[0]?.target?.join(" ")})`);
}
