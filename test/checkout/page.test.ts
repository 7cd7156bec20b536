import { describe, expect, it } from "vitest";
import { forgetControls, shopControl } from "../../src/control/controls";
import { dispatch } from "../support/worker";
import { checkoutFields, postCheckout, shopWithFeed, snapshotThenOutage, unique, type TestShop } from "./fixtures";
import { formatAsOf } from "../../src/time";

let shop: TestShop | undefined;

const XSS = `<script>alert("x")</script>`;

describe("edge checkout page", () => {
  it("renders the product from the feed snapshot with prices as of the snapshot time", async () => {
    const sku = unique("COF");
    shop = await shopWithFeed([
      { sku, name: "Colombia Huila 250 g", price: 1290, currency: "EUR", stock: 2, url: "/p/2" },
    ]);
    const before = Date.now();
    await snapshotThenOutage(shop, sku);
    const after = Date.now();

    const response = await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}&qty=2`, shop.env);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    // Back after ordering shows this very page (same token, so the same order), never a shared copy.
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    const html = await response.text();
    expect(html).toContain("Order now, we&#39;ll confirm when we&#39;re back");
    expect(html).toContain("Colombia Huila 250 g");
    expect(html).toContain("€12.90 each, price as of");
    expect(html).toContain("Subtotal: €25.80");
    expect(html).toContain("2 available (stock as of");
    expect(html).toContain("less orders placed here since)");
    const asOf = Date.parse(/<time datetime="([^"]+)"/.exec(html)![1]!);
    expect(asOf).toBeGreaterThanOrEqual(before);
    expect(asOf).toBeLessThanOrEqual(after);
    expect(html).toContain(formatAsOf(asOf));
    expect(html).not.toContain("<script");
    expect(html).toMatch(/<input[^>]*name="token"[^>]*value="[A-Za-z0-9_-]{22}"/);
    expect(html).toMatch(/<input[^>]*type="radio"[^>]*value="later"[^>]*checked/);
  });

  it("points to the shop's own pages while the origin answers", async () => {
    const sku = unique("UP");
    shop = await shopWithFeed([{ sku, name: "Tea", price: 500, currency: "EUR", stock: null }]);
    const html = await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env)).text();
    expect(html).toContain("Our shop system is up right now");
    expect(html).toContain('<a href="/">the shop&#39;s own pages</a>');
  });

  it("says the shop is closed for maintenance while it is forced, even with the origin up", async () => {
    const sku = unique("MNT");
    shop = await shopWithFeed([{ sku, name: "Tea", price: 500, currency: "EUR", stock: null }]);
    const control = shopControl(shop.env, "default");
    await control.setMaintenance("default", { on: true, message: "Stocktake" });
    forgetControls();
    try {
      const html = await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env)).text();
      expect(html).toContain("closed for maintenance right now");
      expect(html).not.toContain("is up right now");
    } finally {
      await control.setMaintenance("default", { on: false });
      forgetControls();
    }
  });

  it("gives every form its own token", async () => {
    const sku = unique("TEA");
    shop = await shopWithFeed([{ sku, name: "Tea", price: 500, currency: "EUR", stock: null }]);
    const tokens = await Promise.all(
      [1, 2].map(
        async () =>
          /name="token" value="([^"]+)"/.exec(
            await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop!.env)).text(),
          )![1],
      ),
    );
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it("answers 404 for an unknown sku and 400 for a quantity that is not 1 to 99", async () => {
    const sku = unique("GEAR");
    shop = await shopWithFeed([{ sku, name: "Kettle", price: 4900, currency: "EUR", stock: 5 }]);
    const unknown = await dispatch(`https://shop.test/__stayopen/checkout?sku=nope`, shop.env);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("We couldn&#39;t find that product");
    for (const qty of ["0", "100", "two", "-1", "1.5"]) {
      const bad = await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}&qty=${qty}`, shop.env);
      expect(bad.status, qty).toBe(400);
      await bad.body?.cancel();
    }
    const json = await dispatch(`https://shop.test/__stayopen/checkout?sku=nope`, shop.env, {
      headers: { accept: "application/json" },
    });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: "unknown_sku" });
  });

  it("lists the feed's products without a sku, and picks the product the shopper came from", async () => {
    const sku = unique("LIST");
    shop = await shopWithFeed([
      { sku, name: "Aeropress", price: 3990, currency: "EUR", stock: 3, url: "/p/aeropress" },
      { sku: unique("LIST"), name: "Filter papers", price: 450, currency: "EUR", stock: 0, url: "/p/papers" },
    ]);
    const list = await (await dispatch("https://shop.test/__stayopen/checkout", shop.env)).text();
    expect(list).toContain(`href="/__stayopen/checkout?sku=${sku}"`);
    expect(list).toContain("Filter papers");
    expect(list).toContain("(sold out)");

    const fromProduct = await dispatch("https://shop.test/__stayopen/checkout", shop.env, {
      headers: { referer: "https://shop.test/p/aeropress?utm_source=x" },
    });
    expect(await fromProduct.text()).toContain(`name="sku" value="${sku}"`);
  });

  it("escapes every product field from the feed", async () => {
    const sku = unique("XSS");
    shop = await shopWithFeed([
      { sku, name: `Mug ${XSS}`, price: 1200, currency: "EUR", stock: 1, url: `/p/"onmouseover="alert(1)` },
    ]);
    const html = await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env)).text();
    expect(html).not.toContain(XSS);
    expect(html).toContain("Mug &lt;script&gt;");
    expect(html).not.toContain(`"onmouseover="`);
  });

  it("re-renders the form with each problem linked to its field, escaping everything shown back", async () => {
    const sku = unique("VAL");
    shop = await shopWithFeed([{ sku, name: "Grinder", price: 9900, currency: "EUR", stock: 4 }]);
    const response = await postCheckout(
      shop,
      checkoutFields({
        sku,
        qty: "3",
        name: XSS,
        email: `not-an-email${XSS}`,
        address: `</textarea>${XSS}`,
        payment: "bitcoin",
      }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).not.toContain(XSS);
    expect(html).not.toContain("</textarea><script");
    expect(html).toContain("&lt;/textarea&gt;&lt;script&gt;");
    expect(html).toContain('value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
    expect(html).toContain("There is a problem");
    expect(html).toContain("<title>Error: Order now");
    expect(html).toContain('href="#checkout-email"');
    expect(html).toMatch(
      /id="checkout-email"[^>]*aria-invalid="true"[^>]*aria-describedby="checkout-email-hint checkout-email-error"/,
    );
    expect(html).toContain('id="checkout-email-error"');
    expect(html).toContain("Enter a valid email address");
    expect(html).toContain("Choose how you want to pay.");
    // Every link in the error summary leads to something on the page.
    for (const [, target] of html.matchAll(/<a href="#([^"]+)"/g)) expect(html).toContain(`id="${target}"`);
    expect(html).toContain('value="3"');
  });

  it("reports missing fields to JSON clients with a 400 and queues nothing", async () => {
    const sku = unique("JSON");
    shop = await shopWithFeed([{ sku, name: "Scale", price: 2500, currency: "EUR", stock: 1 }]);
    const response = await postCheckout(
      shop,
      { sku, qty: "1", token: "abcdefghijklmnopqrstuv" },
      { accept: "application/json" },
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; fields: Record<string, string> };
    expect(body.error).toBe("invalid_order");
    expect(Object.keys(body.fields).sort()).toEqual(["address", "email", "name"]);
  });

  it("answers 404 when the shop has no product feed", async () => {
    shop = await shopWithFeed([], { CATALOG_FEED_URL: "" });
    const response = await dispatch("https://shop.test/__stayopen/checkout?sku=x", shop.env);
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it("answers 503 with Retry-After when the feed was never stored and the origin is down", async () => {
    shop = await shopWithFeed([]);
    await shop.origin.setMode({ mode: "refuse" });
    const response = await dispatch("https://shop.test/__stayopen/checkout?sku=x", shop.env);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("120");
    // No product list to send the shopper to: only the way back to the shop.
    const html = await response.text();
    expect(html).not.toContain('href="/__stayopen/checkout"');
    expect(html).toContain('<a href="/">Back to the shop</a>');
  });
});
