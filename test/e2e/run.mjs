// `npm run e2e`: a shopper in real Chromium (Debian's /usr/bin/chromium through
// playwright-core) against the real worker and the real demo shop: browse
// healthy, stop the origin, stale page with banner, maintenance page, order
// while down, edge checkout, admin login, the same with JavaScript off, and the
// outage drill. axe-core on every page stayopen renders or modifies; phone-width
// screenshots in artifacts/e2e/. Ends with `e2e: N passed, M failed, K skipped`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createChecks, expect } from "../../scripts/lib/checks.mjs";
import { probeFeatures } from "../../scripts/lib/features.mjs";
import { json, request } from "../../scripts/lib/http.mjs";
import { projectRoot } from "../../scripts/lib/paths.mjs";
import { setMode, sleep } from "../../scripts/lib/processes.mjs";
import { ARTIFACTS, PHONE, axeViolations, launchBrowser, screenshot, uncachedPage } from "./browser.mjs";
import { ADMIN_TOKEN, SHOP_NAME, startStack } from "./stack.mjs";

const HARD_LIMIT_MS = 5 * 60_000;
const STEP_TIMEOUT_MS = 15_000;
const SNAPSHOT_PAGES = ["/", "/c/coffee", "/p/1", "/p/2"];
const UNVISITED_PAGE = "/p/11";
const BUY_SKU = "COF-YIRG-250";
const run = promisify(execFile);

const watchdog = setTimeout(() => {
  console.log(`e2e: hard time limit of ${HARD_LIMIT_MS / 1000} s reached`);
  console.log("e2e: 0 passed, 1 failed");
  process.exit(1);
}, HARD_LIMIT_MS);
watchdog.unref();

const checks = createChecks("e2e");
let stack;
let browser;
try {
  console.log("e2e: starting the demo shop and the worker (workerd) …");
  stack = await startStack();
  const { base, demo } = stack;
  const features = await probeFeatures(base, ADMIN_TOKEN);
  if (features.pending().length) console.log(`e2e: not built yet: ${features.pending().join(", ")}`);
  browser = await launchBrowser();
  const shopper = await browser.newContext({ ...PHONE, baseURL: base });
  shopper.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await uncachedPage(shopper);
  const placed = {};

  /** Goes to a path and returns the main response (status and headers included). */
  async function visit(p, path) {
    const response = await p.goto(path, { waitUntil: "load" });
    expect(response, `no response for ${path}`);
    return response;
  }

  /** axe finds nothing, and nothing is wider than the phone (no sideways scrolling). */
  async function accessible(p, name, options) {
    const violations = await axeViolations(p, options);
    await screenshot(p, name);
    expect(violations.length === 0, () => `axe: ${violations.join("; ")}`);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    expect(
      width <= PHONE.viewport.width || p.viewportSize().width > PHONE.viewport.width,
      `the page is ${width} px wide on a ${PHONE.viewport.width} px phone: it scrolls sideways`,
    );
  }

  await checks.check("browse the healthy shop (pages come from the origin)", async () => {
    for (const path of SNAPSHOT_PAGES) {
      const response = await visit(page, path);
      expect(response.status() === 200, `${path} answered ${response.status()}`);
      expect(
        response.headers()["x-stayopen-source"] === "origin",
        `${path} came from ${response.headers()["x-stayopen-source"]}`,
      );
    }
    // The edge checkout sells from the product feed's snapshot.
    const feed = await request(`${base}/api/products`);
    expect(feed.status === 200, `feed answered ${feed.status}`);
    await screenshot(page, "healthy-product");
    await sleep(1000); // snapshots are written after the response (waitUntil)
    return `${SNAPSHOT_PAGES.length} pages and the feed`;
  });

  await checks.check("stop the origin (demo control API mode=down)", async () => {
    await setMode(demo.control, { mode: "down" });
    const direct = await request(`${demo.shop}/`, { timeoutMs: 2000 });
    expect(direct.status === 0, `the demo shop still answers (${direct.status})`);
  });

  await checks.check("stale product page with a visible banner, accessible", async () => {
    const response = await visit(page, "/p/1");
    expect(response.status() === 200, `status ${response.status()}`);
    expect(response.headers()["x-stayopen-source"] === "stale", `source ${response.headers()["x-stayopen-source"]}`);
    const banner = page.locator("[data-stayopen-banner]");
    expect(await banner.isVisible(), "the banner is not visible");
    expect(/trouble reaching our shop system/i.test(await banner.innerText()), "the banner text is wrong");
    await accessible(page, "stale-product");
  });

  await checks.check("maintenance page for a page never visited: branded 503, accessible", async () => {
    const response = await visit(page, UNVISITED_PAGE);
    const headers = response.headers();
    expect(response.status() === 503, `status ${response.status()}`);
    expect(headers["x-stayopen-source"] === "maintenance", `source ${headers["x-stayopen-source"]}`);
    expect(/^\d+$/.test(headers["retry-after"] ?? ""), "no Retry-After");
    expect(/no-store/.test(headers["cache-control"] ?? ""), "not no-store");
    expect((await page.title()).includes(SHOP_NAME), `title "${await page.title()}" is not branded`);
    expect(await page.getByRole("heading", { level: 1 }).isVisible(), "no heading");
    await accessible(page, "maintenance");
  });

  await checks.check(
    "public status page while down, with the outage as an incident and an update, accessible",
    async () => {
      // The incident is recorded in the background when the breaker opens.
      let status;
      for (let i = 0; i < 20; i++) {
        status = json((await request(`${base}/__stayopen/status.json`)).text);
        if (status?.incidents?.[0]?.endedAt === null) break;
        await sleep(250);
      }
      expect(status && ["degraded", "down"].includes(status.origin), `status.json says ${JSON.stringify(status)}`);
      const incident = status.incidents?.[0];
      expect(incident?.kind === "outage" && incident.endedAt === null, `no ongoing outage: ${JSON.stringify(status)}`);
      const update = await request(`${base}/__stayopen/admin/incidents/${incident.id}/updates`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ message: "Our hosting provider is restoring the shop system; orders are kept safe." }),
      });
      expect(update.status === 200, `the update answered ${update.status}`);
      const response = await visit(page, "/__stayopen/status");
      expect(response.status() === 200, `status ${response.status()}`);
      expect(await page.getByText("orders are kept safe", { exact: false }).isVisible(), "the update is not shown");
      await accessible(page, "status");
      const feed = await request(`${base}/__stayopen/incidents.atom`);
      expect(feed.status === 200 && feed.text.includes(incident.id), `the Atom feed answered ${feed.status}`);
    },
  );

  await checks.check("order while down through the product page's Buy now form → confirmation", async () => {
    features.require("orders");
    await visit(page, "/p/1");
    const form = page.locator('form[action="/api/orders"]');
    await form.locator('[name="name"]').fill("Ada Lovelace");
    await form.locator('[name="email"]').fill("ada@example.com");
    await form.locator('[name="address"]').fill("1 Analytical Row\nLondon");
    const [response] = await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
    expect(response.status() === 202, `the order answered ${response.status()}`);
    expect(response.headers()["x-stayopen-source"] === "queued", `source ${response.headers()["x-stayopen-source"]}`);
    const link = page.locator('a[href^="/__stayopen/orders/"]').first();
    placed.statusUrl = await link.getAttribute("href");
    expect(placed.statusUrl, "the confirmation page has no status link");
    await accessible(page, "order-confirmation");
  });

  await checks.check("order status page says queued, accessible", async () => {
    features.require("orders");
    expect(placed.statusUrl, "no order was placed");
    const response = await visit(page, placed.statusUrl);
    expect(response.status() === 200, `status ${response.status()}`);
    const state = json((await request(base + placed.statusUrl, { headers: { accept: "application/json" } })).text);
    expect(state?.status === "queued", `status JSON ${JSON.stringify(state)}`);
    // The demo's Buy now form is form-encoded: sku and qty are read from it.
    expect(state?.items?.[0]?.sku, `no items in the status JSON ${JSON.stringify(state)}`);
    await accessible(page, "order-status-queued");
  });

  await checks.check("edge checkout from the feed snapshot: review the total → status page, accessible", async () => {
    features.require("checkout");
    await visit(page, "/__stayopen/checkout");
    expect((await page.locator(".products img[alt]").count()) > 0, "no product pictures in the list");
    await accessible(page, "checkout-products");
    const response = await visit(page, `/__stayopen/checkout?sku=${BUY_SKU}&qty=1`);
    expect(response.status() === 200, `checkout answered ${response.status()}`);
    await accessible(page, "checkout");
    const form = page.locator('form[action="/__stayopen/checkout"]');
    await form.getByLabel("Quantity").fill("3");
    await form.locator('[name="name"]').fill("Grace Hopper");
    await form.locator('[name="email"]').fill("grace@example.com");
    await form.locator('[name="address"]').fill("2 Compiler Way\nArlington");
    const later = form.locator('[name="payment"][value="later"]');
    if (await later.count()) await later.check();
    // Without JavaScript the total for the new quantity comes from the review step, which places nothing.
    await Promise.all([page.waitForNavigation(), form.getByRole("button", { name: "Review order" }).click()]);
    const each = /€(\d+)\.(\d\d) each/.exec(await page.locator("main").innerText());
    expect(each, "no price on the review page");
    const total = (Number(each[1]) * 100 + Number(each[2])) * 3;
    const expected = `Subtotal: €${Math.floor(total / 100)}.${String(total % 100).padStart(2, "0")}`;
    const shown = await page.locator(".total").innerText();
    expect(shown === expected, `the review says "${shown}", not "${expected}"`);
    expect((await page.title()).startsWith("Check your order"), `title "${await page.title()}"`);
    expect(await page.locator(".item img[alt]").isVisible(), "no product picture on the review");
    expect(page.url().endsWith("/__stayopen/checkout"), `the review is at ${page.url()}`);
    await accessible(page, "checkout-review");
    await page.setViewportSize({ width: 360, height: 740 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize(PHONE.viewport);
    expect(width <= 360, `the review is ${width} px wide on a 360 px phone`);
    await Promise.all([
      page.waitForURL(/\/__stayopen\/orders\//),
      form.getByRole("button", { name: "Place order" }).click(),
    ]);
    placed.checkoutStatusUrl = new URL(page.url()).pathname;
    // What was ordered is on the page, and the grouped reference copies as the exact reference.
    const ordered = await page.locator('section[aria-labelledby="items-heading"]').innerText();
    // The quantity and total the review showed are the ones the order was placed with.
    expect(ordered.includes(`3 × `) && ordered.includes(BUY_SKU), `the status page lists: ${ordered}`);
    const placedTotal = `Total: ${expected.slice("Subtotal: ".length)}`;
    expect(ordered.includes(placedTotal), `not "${placedTotal}" on the status page: ${ordered}`);
    const reference = placed.checkoutStatusUrl.split("/").pop();
    const copied = await page.locator("code.reference").evaluate((element) => element.textContent);
    expect(copied === reference, `the reference reads ${copied}, not ${reference}`);
    await accessible(page, "checkout-status");
  });

  await checks.check("edge checkout: Back and placing the order again is the same order", async () => {
    features.require("checkout");
    // A plain page with the browser's cache on, as a shopper has it.
    const shopperWithCache = await browser.newContext({ ...PHONE, baseURL: base, javaScriptEnabled: false });
    shopperWithCache.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      const p = await shopperWithCache.newPage();
      await visit(p, `/__stayopen/checkout?sku=${BUY_SKU}&qty=1`);
      const form = p.locator('form[action="/__stayopen/checkout"]');
      const placeOrder = async () => {
        await Promise.all([
          p.waitForURL(/\/__stayopen\/orders\//),
          form.getByRole("button", { name: "Place order" }).click(),
        ]);
        return new URL(p.url()).pathname;
      };
      await form.locator('[name="name"]').fill("Back Button");
      await form.locator('[name="email"]').fill("back@example.com");
      await form.locator('[name="address"]').fill("4 History Lane");
      await Promise.all([p.waitForNavigation(), form.getByRole("button", { name: "Review order" }).click()]);
      const first = await placeOrder();
      // Back to the review as it was (same form), and the order button once more.
      await p.goBack();
      const again = await placeOrder();
      expect(again === first, `the second submit made another order: ${first} then ${again}`);
    } finally {
      await shopperWithCache.close();
    }
  });

  await checks.check("notify-me form on the maintenance page → thank-you page, accessible", async () => {
    features.require("notify");
    await visit(page, UNVISITED_PAGE);
    const form = page.locator('form[action="/__stayopen/notify"]');
    await form.locator('[name="email"]').fill("waiting@example.com");
    const [response] = await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
    expect(response.status() === 202, `notify answered ${response.status()}`);
    await accessible(page, "notify-thanks");
  });

  await checks.check("JavaScript disabled: stale page, maintenance page and ordering still work", async () => {
    const noJs = await browser.newContext({ ...PHONE, baseURL: base, javaScriptEnabled: false });
    noJs.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      const p = await uncachedPage(noJs);
      const stale = await visit(p, "/p/2");
      expect(stale.headers()["x-stayopen-source"] === "stale", `source ${stale.headers()["x-stayopen-source"]}`);
      expect(await p.locator("[data-stayopen-banner]").isVisible(), "no banner without JavaScript");
      const down = await visit(p, UNVISITED_PAGE);
      expect(down.status() === 503, `maintenance answered ${down.status()}`);
      await screenshot(p, "maintenance-no-js");
      if (!features.has("orders")) return "ordering part SKIPPED: not built yet (orders)";
      await visit(p, "/p/2");
      const form = p.locator('form[action="/api/orders"]');
      await form.locator('[name="name"]').fill("No Script");
      await form.locator('[name="email"]').fill("noscript@example.com");
      await form.locator('[name="address"]').fill("3 Plain Html Lane");
      const [response] = await Promise.all([p.waitForNavigation(), form.locator('button[type="submit"]').click()]);
      expect(response.status() === 202, `the order answered ${response.status()}`);
      await screenshot(p, "order-confirmation-no-js");
      return "stale, maintenance and a queued order";
    } finally {
      await noJs.close();
    }
  });

  await checks.check("origin back: queued orders are delivered and the status page says so", async () => {
    features.require("orders");
    expect(placed.statusUrl, "no order was placed");
    await setMode(demo.control, { mode: "up" });
    if (features.has("replay"))
      await request(`${base}/__stayopen/admin/replay`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
    const deadline = Date.now() + 30_000;
    let state;
    while (Date.now() < deadline) {
      state = json((await request(base + placed.statusUrl, { headers: { accept: "application/json" } })).text);
      if (state?.status === "delivered") break;
      await sleep(500);
    }
    expect(state?.status === "delivered", `still ${JSON.stringify(state)} after 30 s`);
    const orders = json((await request(`${demo.shop}/api/orders`)).text)?.orders ?? [];
    const ada = orders.filter((o) => o.body?.email === "ada@example.com");
    expect(ada.length === 1, `the shop has ${ada.length} orders from Ada`);
    await visit(page, placed.statusUrl);
    await accessible(page, "order-status-delivered");
  });

  await checks.check("admin dashboard: login with the token, accessible", async () => {
    features.require("dashboard");
    const operator = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
    operator.setDefaultTimeout(STEP_TIMEOUT_MS);
    try {
      const p = await uncachedPage(operator);
      await visit(p, "/__stayopen/admin");
      if (!(await p.locator('input[type="password"]').count())) await visit(p, "/__stayopen/admin/login");
      const tokenField = p.locator('input[type="password"]').first();
      await tokenField.fill(ADMIN_TOKEN);
      await Promise.all([p.waitForNavigation(), p.locator('form button[type="submit"]').first().click()]);
      expect(!(await p.locator('input[type="password"]').count()), "still on the login form");
      await accessible(p, "admin-dashboard");
      // Operators' pages use a desktop's width, where shoppers' pages keep a 40rem column.
      const mainWidth = await p.evaluate(() => document.querySelector("main").clientWidth);
      expect(mainWidth > 1000, `the dashboard uses only ${mainWidth} px of a 1280 px screen`);
      // And still fit a 360 px phone: nothing scrolls sideways.
      await p.setViewportSize({ width: 360, height: 800 });
      await accessible(p, "admin-dashboard-phone");
      const phoneWidth = await p.evaluate(() => document.documentElement.scrollWidth);
      expect(phoneWidth <= 360, `the dashboard is ${phoneWidth} px wide on a 360 px phone`);
    } finally {
      await operator.close();
    }
  });

  await checks.check("outage drill against the running stack (npx stayopen drill)", async () => {
    await setMode(demo.control, { mode: "up" });
    let output;
    try {
      const result = await run(
        process.execPath,
        ["bin/stayopen.mjs", "drill", base, "--token", ADMIN_TOKEN, "--minutes", "2", "--with-test-order"],
        { cwd: projectRoot, timeout: 90_000 },
      );
      output = result.stdout;
    } catch (error) {
      output = `${error.stdout ?? ""}${error.stderr ?? ""}`;
      // Exit 1 means "findings to fix", which a fresh demo stack may have; anything else is a crash.
      expect(
        error.code === 1 && /readiness score/i.test(output),
        `drill crashed (exit ${error.code}):\n${output.slice(-1500)}`,
      );
    }
    expect(/readiness score: \d+/i.test(output), `no score in the drill output:\n${output.slice(-1500)}`);
    const status = json((await request(`${base}/__stayopen/status.json`)).text);
    expect(status?.mode === "auto", `the drill left mode ${status?.mode}`);
    return /readiness score: (\d+ ?\/ ?100)/i.exec(output)?.[1] ?? "";
  });

  console.log(`e2e: screenshots in ${ARTIFACTS}`);
} catch (error) {
  checks.record("e2e run completed", false, error.stack ?? String(error));
} finally {
  await browser?.close().catch(() => {});
  await stack?.stop().catch(() => {});
}
process.exitCode = checks.finish();
