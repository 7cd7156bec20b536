// Many shops, one deployment, in real Chromium (DESIGN.md, "Many shops, one deployment"): two demo shops
// registered through the platform API, each open in its own tab at http://<shop>.localhost:<port> (Chromium
// resolves *.localhost to this machine). One shop's origin goes down: its tab shows its own stale page and its
// own branded maintenance page, the other tab stays live from its origin; an unknown host gets the accessible
// "no shop here" page with no shop's content; a deleted shop's order is on the platform dashboard, under axe.
// Run: node --test test/e2e/many-shops.test.mjs
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { demoShop } from "../../demo/shops.mjs";
import { demoShopVars } from "../../demo/stayopen-vars.mjs";
import { resolveLocalhostNames } from "../../scripts/lib/localhost-names.mjs";
import { projectRoot } from "../../scripts/lib/paths.mjs";
import { deleteShop, registerShop } from "../../scripts/lib/platform.mjs";
import {
  buildWorker,
  makeDataDir,
  removeDataDir,
  setMode,
  sleep,
  startShop,
  startWorkerHost,
} from "../../scripts/lib/processes.mjs";
import { PHONE, axeViolations, launchBrowser, screenshot, uncachedPage } from "./browser.mjs";
import { FAST_BREAKER } from "./stack.mjs";

resolveLocalhostNames();

const PLATFORM_TOKEN = "e2e-platform-token-0123456789abcdef";
const STEP_TIMEOUT_MS = 15_000;
const FAST = {
  ...FAST_BREAKER,
  CRITICAL_PATHS: "/,/c/tea,/p/5",
  SITEMAP_URL: "",
  RETRY_AFTER_S: "60",
};
const VISITED = ["/", "/p/5"];
const NEVER_VISITED = "/p/11";

describe("many shops in Chromium", { timeout: 5 * 60_000 }, () => {
  const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-e2e-shops-"));
  const shops = ["alpha", "beta"].map((id) => ({ id, profile: demoShop(id), dataDir: makeDataDir() }));
  const [alpha, beta] = shops;
  let worker;
  let browser;
  let context;
  let port;

  before(async () => {
    for (const [i, shop] of shops.entries()) {
      shop.secrets = {
        ADMIN_TOKEN: `e2e-${shop.id}-admin-token-0123456789`,
        REPLAY_SECRET: `whsec_ZTJlLXNob3Atc2VjcmV0LTAxMjM0NTY3ODk${i}`,
      };
      shop.origin = await startShop({
        dataDir: shop.dataDir,
        env: { DEMO_SHOP: shop.id, REPLAY_SECRET: shop.secrets.REPLAY_SECRET },
      });
    }
    const bundle = await buildWorker(join(tmp, "build"));
    worker = await startWorkerHost({
      workers: [{ name: "stayopen", scriptPath: bundle, fromConfig: true, vars: { PLATFORM_TOKEN } }],
      persistDir: join(tmp, "state"),
      logFile: join(tmp, "worker.log"),
    });
    port = new URL(worker.urls.stayopen).port;
    for (const shop of shops) {
      shop.url = `http://${shop.id}.localhost:${port}`;
      await registerShop(worker.urls.stayopen, PLATFORM_TOKEN, shop.id, {
        hosts: [`${shop.id}.localhost`],
        config: { ...demoShopVars(shop.profile, { originUrl: shop.origin.shop, shopUrl: shop.url }), ...FAST },
        secrets: shop.secrets,
      });
    }
    browser = await launchBrowser();
    context = await browser.newContext(PHONE);
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    for (const shop of shops) shop.tab = await uncachedPage(context);
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await worker?.stop().catch(() => {});
    for (const shop of shops) {
      await shop.origin?.stop().catch(() => {});
      removeDataDir(shop.dataDir);
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  async function visit(shop, path) {
    const response = await shop.tab.goto(`${shop.url}${path}`, { waitUntil: "load" });
    assert.ok(response, `no response for ${shop.url}${path}`);
    return response;
  }

  /** The page's title ends with this shop's name, and no other shop's name is anywhere on it. */
  async function showsOnly(shop, page = shop.tab) {
    const title = await page.title();
    assert.ok(title.endsWith(` · ${shop.profile.name}`), `${shop.id}'s tab has the title "${title}"`);
    const html = await page.content();
    for (const other of shops.filter((o) => o !== shop))
      assert.ok(!html.includes(other.profile.name), `${shop.id}'s tab shows ${other.profile.name}`);
  }

  /** A CSS custom property on <html>: the demo shop's --accent, stayopen's own pages' --brand. */
  const rootProperty = (page, name) =>
    page.evaluate((property) => getComputedStyle(document.documentElement).getPropertyValue(property).trim(), name);

  it("two tabs, two shops: each live from its own origin in its own name and colour", async () => {
    for (const shop of shops) {
      for (const path of VISITED) {
        const response = await visit(shop, path);
        assert.equal(response.status(), 200, `${shop.url}${path}`);
        assert.equal(response.headers()["x-stayopen-source"], "origin", `${shop.url}${path}`);
      }
      await showsOnly(shop);
      assert.equal(await rootProperty(shop.tab, "--accent"), shop.profile.color, `${shop.id}'s colour`);
      assert.equal(
        await shop.tab.getByRole("heading", { level: 1 }).innerText(),
        `${shop.profile.productPrefix} First Flush Darjeeling 100 g`,
      );
    }
    await sleep(1000); // snapshots are written after the response (waitUntil)
  });

  it("beta's origin down: beta's tab serves beta's stale page and beta's maintenance page, alpha's stays live", async () => {
    await setMode(beta.origin.control, { mode: "down" });

    const stale = await visit(beta, "/p/5");
    assert.equal(stale.status(), 200);
    assert.equal(stale.headers()["x-stayopen-source"], "stale");
    assert.ok(await beta.tab.locator("[data-stayopen-banner]").isVisible(), "no banner on beta's stale page");
    await showsOnly(beta);
    assert.equal(await rootProperty(beta.tab, "--accent"), beta.profile.color);
    await screenshot(beta.tab, "shops-beta-stale");

    const maintenance = await visit(beta, NEVER_VISITED);
    assert.equal(maintenance.status(), 503);
    assert.equal(maintenance.headers()["x-stayopen-source"], "maintenance");
    await showsOnly(beta);
    assert.equal(await rootProperty(beta.tab, "--brand"), beta.profile.color, "beta's maintenance page colour");
    await screenshot(beta.tab, "shops-beta-maintenance");
    const violations = await axeViolations(beta.tab);
    assert.deepEqual(violations, [], "axe on beta's maintenance page");

    for (const path of [...VISITED, NEVER_VISITED]) {
      const live = await visit(alpha, path);
      assert.equal(live.status(), 200, `${alpha.url}${path} with beta down`);
      assert.equal(live.headers()["x-stayopen-source"], "origin", `${alpha.url}${path} with beta down`);
      assert.equal(await alpha.tab.locator("[data-stayopen-banner]").count(), 0, "a banner on alpha's live page");
      await showsOnly(alpha);
      assert.equal(await rootProperty(alpha.tab, "--accent"), alpha.profile.color);
    }
    await screenshot(alpha.tab, "shops-alpha-live");
  });

  it('an unknown host: the accessible "no shop here" page, 404, with no shop\'s content', async () => {
    const page = await uncachedPage(context);
    const response = await page.goto(`http://nobody.localhost:${port}/`, { waitUntil: "load" });
    assert.equal(response?.status(), 404);
    assert.match(await page.innerText("body"), /no shop here/i);
    const html = await page.content();
    for (const shop of shops) {
      assert.ok(!html.includes(shop.profile.name), `"no shop here" shows ${shop.profile.name}`);
      assert.ok(!html.includes(shop.profile.color), `"no shop here" uses ${shop.id}'s colour`);
    }
    await screenshot(page, "shops-no-shop-here");
    assert.deepEqual(await axeViolations(page), [], 'axe on the "no shop here" page');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.viewport.width, `the page is ${width} px wide on a ${PHONE.viewport.width} px phone`);
  });

  it("the drill runs against one shop of the platform (--host): that shop goes into maintenance, the other never", async () => {
    const betaModes = new Set();
    const mode = async (shop) => (await (await fetch(`${shop.url}/__stayopen/status.json`)).json()).mode;
    let running = true;
    const drill = new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        ["bin/stayopen.mjs", "drill", `http://127.0.0.1:${port}`, "--host", "alpha.localhost"].concat([
          "--token",
          alpha.secrets.ADMIN_TOKEN,
          "--minutes",
          "1",
        ]),
        { cwd: projectRoot },
      );
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("exit", (code) => resolve({ code, output }));
    }).finally(() => (running = false));
    while (running) betaModes.add(await mode(beta));
    const { code, output } = await drill;
    // Exit 1 is "findings to fix" (alpha's own); anything else is a crash.
    assert.ok(code === 0 || code === 1, `drill exit ${code}:\n${output.slice(-1500)}`);
    // The drill talked to alpha (its host in every request) and saw alpha's status say maintenance.
    assert.match(output, /outage drill: http:\/\/alpha\.localhost:\d+/);
    assert.match(output, /ok {4}status JSON reports maintenance/);
    assert.match(output, /readiness score: \d+/i);
    assert.deepEqual([...betaModes], ["auto"], "beta's mode changed during alpha's drill");
    assert.equal(await mode(alpha), "auto", "the drill left alpha in maintenance");
    const incidents = async (shop) =>
      (await (await fetch(`${shop.url}/__stayopen/incidents.json`)).json()).incidents.map((i) => i.kind);
    assert.ok(!(await incidents(beta)).includes("maintenance"), "alpha's drill is in beta's incident history");
  });

  it("beta deleted with an order left: the platform dashboard lists it on beta's page, accessible, on a phone", async () => {
    const order = await fetch(`${beta.url}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sku: "tea", qty: 1 }),
    });
    assert.equal(order.status, 202, "beta's order was not queued while its origin is down");
    const { reference } = await order.json();
    assert.equal((await deleteShop(worker.urls.stayopen, PLATFORM_TOKEN, beta.id)).status, 200);

    // The platform's browser login is on a host no shop owns.
    const page = await uncachedPage(context);
    await page.goto(`http://127.0.0.1:${port}/__stayopen/platform`, { waitUntil: "load" });
    await page.getByLabel("Platform token").fill(PLATFORM_TOKEN);
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Log in" }).click()]);
    assert.equal(await page.getByRole("heading", { level: 1 }).innerText(), "Platform dashboard");
    assert.deepEqual(await axeViolations(page), [], "axe on the platform dashboard");

    await Promise.all([page.waitForNavigation(), page.getByRole("link", { name: "beta orders" }).click()]);
    assert.match(await page.getByRole("heading", { level: 1 }).innerText(), /^Orders of beta, a deleted shop$/);
    assert.ok(await page.getByText(reference).isVisible(), "beta's order is not listed");
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole("button", { name: "Deliver queued orders now" }).click(),
    ]);
    assert.match(await page.getByRole("status").innerText(), /being delivered now/);
    await screenshot(page, "shops-deleted-beta-orders");
    assert.deepEqual(await axeViolations(page), [], "axe on a deleted shop's orders");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.viewport.width, `the page is ${width} px wide on a ${PHONE.viewport.width} px phone`);
  });
});
