// A real storefront nobody here wrote, behind stayopen: EverShop 2.2.1 with its
// demo catalog, a customer account and cash on delivery. Chromium browses it
// as an anonymous shopper and as the logged-in customer, the storefront
// process is killed, and the shop must stay open: the anonymous pages and
// their assets come stale and complete, no stale page holds the customer's
// data, EverShop's own checkout tells the shopper within a second that the
// order was accepted, and once EverShop is back the order exists exactly once.
// Run: npm run e2e:storefront (docs/storefronts.md)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sleep } from "../../scripts/lib/processes.mjs";
import { launchBrowser, screenshot, uncachedPage } from "../../test/e2e/browser.mjs";
import { CATEGORY_PATH, CUSTOMER, PRODUCT, RUN_DB } from "./evershop.mjs";
import { psql } from "./postgres.mjs";
import { ADMIN_TOKEN, startStack } from "./stack.mjs";

const ANONYMOUS_PAGES = ["/", CATEGORY_PATH, PRODUCT.path];
const DRAIN_DEADLINE_MS = 120_000;
const ACCEPTED_WITHIN_MS = 1000;

let stack;
let browser;
let anonymous; // the anonymous shopper's browser context, kept across the outage
let customer; // the logged-in customer's context
let checkoutPage; // the customer's checkout, filled in while EverShop was up
const secrets = new Set(); // everything of the customer's a public page must never show
const assetsSeen = new Map(); // page path → same-origin subresources the browser loaded while EverShop was up

const call = (path, init = {}) => fetch(`${stack.base}${path}`, { signal: AbortSignal.timeout(15_000), ...init });
const admin = (path, init = {}) =>
  call(`/__stayopen/admin${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...init.headers } });

/** Loads a page and reports every same-origin request's answer, and every request that failed. */
async function visit(context, path) {
  const page = await uncachedPage(context);
  const answers = [];
  const failed = [];
  page.on("response", (response) => {
    if (response.url().startsWith(stack.base)) {
      answers.push({
        url: response.url(),
        type: response.request().resourceType(),
        status: response.status(),
        source: response.headers()["x-stayopen-source"],
      });
    }
  });
  page.on("requestfailed", (request) => failed.push(`${request.url()} (${request.failure()?.errorText})`));
  const response = await page.goto(`${stack.base}${path}`, { waitUntil: "load" });
  await page.waitForLoadState("networkidle", { timeout: 10_000 }).catch(() => {});
  return { page, response, answers, failed };
}

const ASSET_TYPES = new Set(["script", "stylesheet", "image", "font"]);

describe("EverShop behind stayopen", { timeout: 15 * 60_000 }, () => {
  before(async () => {
    stack = await startStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await stack?.stop();
  });

  it("passes EverShop's pages through while it is up, and pre-warms the critical ones", async () => {
    const home = await call("/");
    assert.equal(home.status, 200);
    assert.equal(home.headers.get("x-stayopen-source"), "origin");
    await home.arrayBuffer();
    // What the cron trigger does every few minutes in production: critical pages and their assets.
    const outcomes = await stack.worker.scheduled();
    assert.equal(outcomes.stayopen, "ok", JSON.stringify(outcomes));

    anonymous = await browser.newContext();
    for (const path of ANONYMOUS_PAGES) {
      const { page, response, answers, failed } = await visit(anonymous, path);
      assert.equal(response.status(), 200, path);
      assert.deepEqual(failed, [], `${path}: failed requests while EverShop is up`);
      assetsSeen.set(
        path,
        answers.filter((a) => ASSET_TYPES.has(a.type)).map((a) => a.url),
      );
      if (path !== "/") {
        assert.ok(
          assetsSeen.get(path).some((url) => url.includes("/images?")),
          `${path} shows product pictures`,
        );
      }
      await page.close();
    }
  });

  it("lets the customer log in, fill a cart and the checkout while EverShop is up", async () => {
    customer = await browser.newContext();
    const login = await uncachedPage(customer);
    const loginAnswer = login.waitForResponse((r) => r.url().endsWith("/customer/login"));
    await login.goto(`${stack.base}/account/login`);
    await login.waitForLoadState("networkidle"); // React hydrated: the form submits with fetch
    await login.fill('#loginForm input[name="email"]', CUSTOMER.email);
    await login.fill('#loginForm input[name="password"]', CUSTOMER.password);
    await login.locator("#loginForm button", { hasText: "Sign In" }).click();
    const loggedIn = await (await loginAnswer).json();
    // EverShop answers a login with the session id itself: one more thing no public page may show.
    if (loggedIn.data?.sid) secrets.add(loggedIn.data.sid);
    await login.waitForURL((url) => !url.pathname.startsWith("/account/login"));
    for (const cookie of await customer.cookies()) {
      secrets.add(cookie.value);
      secrets.add(decodeURIComponent(cookie.value));
    }

    const account = await visit(customer, "/account");
    assert.match(await account.page.content(), new RegExp(CUSTOMER.full_name));
    await account.page.close();

    const product = await visit(customer, PRODUCT.path);
    // Choosing the variant navigates to ?color=…: the page that follows is the one that adds to the cart.
    await product.page.getByRole("button", { name: "White", exact: true }).click();
    await product.page.waitForURL(/color=/);
    const added = product.page.waitForResponse((r) => /\/api\/cart\/[^/]+\/items$/.test(r.url()));
    await product.page.getByRole("button", { name: /add to cart/i }).click();
    const item = await (await added).json();
    assert.equal(item.data?.item?.product_sku, PRODUCT.sku);
    await product.page.close();

    // With the browser's cache, as a shopper has it: the success page EverShop goes on to after a queued order
    // loads the client script this page already fetched (versioned, immutable) from the cache, not the network.
    checkoutPage = await customer.newPage();
    await checkoutPage.goto(`${stack.base}/checkout`);
    await checkoutPage.waitForLoadState("networkidle");
    // The page carries the cart's own checkout URL, with the cart's id.
    const cartId = /\/api\/carts\/([0-9a-f-]{36})\/checkout/.exec(await checkoutPage.content())?.[1];
    assert.ok(cartId, "the checkout page names the customer's cart");
    secrets.add(cartId);
    const form = checkoutPage;
    await form.fill('input[name="shippingAddress.full_name"]', CUSTOMER.full_name);
    await form.fill('input[name="shippingAddress.telephone"]', "5550100123");
    await form.fill('input[name="shippingAddress.address_1"]', "1 Loopback Way");
    await form.fill('input[name="shippingAddress.city"]', "Springfield");
    await form.click("#field-shippingAddress\\.country");
    await form.getByRole("option", { name: "United States" }).click();
    await form.click("#field-shippingAddress\\.province");
    await form.getByRole("option", { name: "California" }).click();
    await form.fill('input[name="shippingAddress.postcode"]', "90210");
    // Choosing the shipping method saves the address and the method on the cart (two API calls, origin up).
    const methodSaved = form.waitForResponse((r) => r.url().endsWith("/shippingMethods"));
    await form.getByText("Standard delivery").click();
    assert.equal((await methodSaved).status(), 200);
    await form.getByText("Cash on Delivery").first().click();
    await form.locator("button", { hasText: /place order/i }).waitFor();
  });

  it("serves the anonymous pages and their assets stale and complete once the storefront process is dead", async () => {
    await stack.killShop();
    // A shopper who browsed before the outage (holding EverShop's anonymous cookie) and one arriving during it.
    const newcomer = await browser.newContext();
    try {
      for (const [who, context] of [
        ["returning shopper", anonymous],
        ["new shopper", newcomer],
      ]) {
        for (const path of ANONYMOUS_PAGES) {
          const { page, response, answers, failed } = await visit(context, path);
          assert.equal(response.status(), 200, `${who} ${path}: status`);
          assert.equal(response.headers()["x-stayopen-source"], "stale", `${who} ${path}: source`);
          assert.deepEqual(failed, [], `${who} ${path}: failed requests`);
          const broken = answers.filter((a) => a.status >= 400 || (ASSET_TYPES.has(a.type) && a.source !== "stale"));
          assert.deepEqual(broken, [], `${who} ${path}: every asset answered stale`);
          const loaded = new Set(answers.map((a) => a.url));
          for (const url of assetsSeen.get(path) ?? []) {
            if (!url.includes("/images?")) assert.ok(loaded.has(url), `${who} ${path}: ${url} loaded again`);
          }
          await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
          const pictures = await page.locator("img").evaluateAll((images) => ({
            shown: images.filter((img) => img.complete && img.naturalWidth > 0).length,
            broken: images
              .filter((img) => img.complete && img.naturalWidth === 0)
              .map((img) => img.currentSrc || img.src),
          }));
          assert.deepEqual(pictures.broken, [], `${who} ${path}: broken pictures`);
          if (path !== "/") assert.ok(pictures.shown > 0, `${who} ${path}: pictures rendered`);
          if (who === "new shopper") await screenshot(page, `storefront-stale${path.replaceAll("/", "-") || "-home"}`);
          await page.close();
        }
      }
    } finally {
      await newcomer.close();
    }
  });

  it("keeps the customer's data out of every stale page and asset", async () => {
    assert.ok(secrets.size >= 3, "the customer's session, cart and login answer were recorded");
    const needles = [...secrets, CUSTOMER.email, CUSTOMER.full_name].filter((s) => s && s.length >= 6);
    const urls = new Set(ANONYMOUS_PAGES.map((path) => `${stack.base}${path}`));
    for (const list of assetsSeen.values()) for (const url of list) urls.add(url);
    let checked = 0;
    for (const url of urls) {
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      const body = await response.text();
      if (response.headers.get("x-stayopen-source") !== "stale") continue; // the previous test reports these
      checked++;
      for (const needle of needles) assert.ok(!body.includes(needle), `${url} must not contain ${needle}`);
      assert.equal(response.headers.get("set-cookie"), null, `${url} sets no cookie`);
    }
    assert.ok(checked >= ANONYMOUS_PAGES.length, `only ${checked} of ${urls.size} pages and assets came stale`);
  });

  it("tells the shopper within a second that EverShop's own checkout accepted the order, with its reference", async (t) => {
    // EverShop leaves for its success page the moment the answer comes, so the confirmation the client script
    // shows on the checkout page lives only until that page replaces it: it reports itself (the script's
    // `stayopen:queued` event, with what the dialog shows at that moment), then the success page shows it again.
    const confirmed = new Promise((resolve) =>
      checkoutPage.exposeBinding("storefrontConfirmed", (_source, shown) => resolve({ ...shown, at: Date.now() })),
    );
    await checkoutPage.evaluate(() =>
      window.addEventListener("stayopen:queued", () => {
        const host = document.querySelector("[data-stayopen-confirmation]");
        const dialog = host?.shadowRoot?.querySelector('[role="alertdialog"]');
        const box = dialog?.getBoundingClientRect();
        window.storefrontConfirmed({
          visible: Boolean(box && box.width > 0 && box.height > 0 && getComputedStyle(dialog).visibility !== "hidden"),
          text: dialog?.textContent ?? "",
        });
      }),
    );
    const placed = checkoutPage.waitForResponse((r) => /\/api\/carts\/[^/]+\/checkout$/.test(r.url()));
    const clickedAt = Date.now();
    await checkoutPage.locator("button", { hasText: /place order/i }).click();
    const answer = await placed;
    assert.equal(answer.headers()["x-stayopen-source"], "queued");
    // EverShop may already have left the page, taking the answer's body with it: the Location names the order too.
    const reference = referenceOf(answer.headers(), await answer.text().catch(() => ""));
    assert.ok(reference, "the queued answer names the order's reference");
    stack.reference = reference;
    const shown = await Promise.race([confirmed, sleep(ACCEPTED_WITHIN_MS * 5).then(() => null)]);
    assert.ok(shown, "the client script confirmed the queued order");
    t.diagnostic(`confirmation shown ${shown.at - clickedAt} ms after the click`);
    assert.ok(shown.at - clickedAt <= ACCEPTED_WITHIN_MS, `shown ${shown.at - clickedAt} ms after the click`);
    assert.ok(shown.visible, "the confirmation is on screen");
    assert.ok(shown.text.includes(reference), "the confirmation names the order's reference");
    // On the page EverShop went on to (stayopen's maintenance page at /checkout/success/<reference>), the
    // remembered confirmation again (shadow DOM, the reference in groups of four characters).
    await checkoutPage.waitForURL(/\/checkout\/success\//);
    await checkoutPage
      .getByRole("alertdialog")
      .filter({ hasText: reference })
      .first()
      .waitFor({ state: "visible", timeout: 10_000 });
    t.diagnostic(`shown again on the success page ${Date.now() - clickedAt} ms after the click`);
    await screenshot(checkoutPage, "storefront-checkout-accepted");
  });

  it("delivers the order to EverShop exactly once after the storefront is back", async (t) => {
    assert.ok(stack.reference, "an order was accepted while EverShop was down");
    await stack.restartShop();
    const countOrders = async () =>
      Number(await psql(stack.db, RUN_DB, `SELECT count(*) FROM "order" WHERE customer_email = '${CUSTOMER.email}'`));
    const orderState = async () => {
      const status = await call(`/__stayopen/orders/${stack.reference}`, { headers: { accept: "application/json" } });
      return status.ok ? (await status.json()).status : `http ${status.status}`;
    };
    const deadline = Date.now() + DRAIN_DEADLINE_MS;
    while (Date.now() < deadline && (await countOrders()) === 0) {
      await admin("/replay", { method: "POST" }).then((r) => r.arrayBuffer());
      await sleep(1000);
    }
    assert.equal(await countOrders(), 1, `EverShop got the order within ${DRAIN_DEADLINE_MS} ms`);
    // More drains change nothing: the order stays one order.
    for (let i = 0; i < 3; i++) {
      await admin("/replay", { method: "POST" }).then((r) => r.arrayBuffer());
      await sleep(2000);
    }
    assert.equal(await countOrders(), 1);
    // EverShop ignores Idempotency-Key. When it commits a replayed order but answers after
    // ORIGIN_TIMEOUT_MS (a cold restart on a busy machine), the retry is refused with 500 "Cart not
    // found" (the cart is spent) and the order ends needs_attention, not delivered: still one order.
    const state = await orderState();
    if (state !== "delivered") t.diagnostic(`stayopen's state for the order: ${state} (see docs/storefronts.md)`);
    const order = await psql(
      stack.db,
      RUN_DB,
      `SELECT payment_method || ' ' || (SELECT string_agg(product_sku, ',') FROM order_item i WHERE i.order_item_order_id = o.order_id) FROM "order" o WHERE customer_email = '${CUSTOMER.email}'`,
    );
    assert.equal(order, `cod ${PRODUCT.sku}`);
  });
});

/** The reference of a queued answer: its JSON `reference`, else the last segment of its Location. */
function referenceOf(headers, body) {
  try {
    const json = JSON.parse(body);
    if (typeof json.reference === "string") return json.reference;
  } catch {
    // an ORDER_REPLIES template need not be our JSON
  }
  return headers.location?.split("/").pop() ?? null;
}
