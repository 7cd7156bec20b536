import { afterEach, describe, expect, it } from "vitest";
import { varsShop } from "../../src/config/shop";
import { availableStock } from "../../src/stock/reserve";
import { dispatch } from "../support/worker";
import {
  checkoutFields,
  formToken,
  NO_LIMIT,
  postCheckout,
  shopWithFeed,
  snapshotThenOutage,
  totalOrders,
  unique,
  type TestShop,
} from "./fixtures";

let shop: TestShop | undefined;
afterEach(async () => {
  await shop?.origin.stop();
  shop = undefined;
});

/** Orders queued since the test began: the queue is shared by the tests of a file. */
let ordersBefore = 0;
const newOrders = async (s: TestShop) => (await totalOrders(s)) - ordersBefore;
const stockLeft = (s: TestShop, sku: string, stock: number) =>
  availableStock(s.env, varsShop(s.env), sku, { stock, stockAsOf: 0 });
/** The hidden fields and the values a browser would post back from a rendered form, with its default button. */
function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [input] of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input)?.[1];
    const value = /value="([^"]*)"/.exec(input)?.[1] ?? "";
    if (!name || (/type="radio"/.test(input) && !/checked/.test(input))) continue;
    fields[name] = value.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&");
  }
  const address = /<textarea[^>]*name="address"[^>]*>([^<]*)<\/textarea>/.exec(html)?.[1];
  if (address !== undefined) fields.address = address;
  return fields;
}

describe("reviewing the order before placing it", () => {
  it("shows the subtotal for the chosen quantity and places nothing", async () => {
    const sku = unique("REV");
    shop = await shopWithFeed(
      [{ sku, name: "Yirgacheffe 250 g", price: 1450, currency: "EUR", stock: 5, url: "/p/1" }],
      NO_LIMIT,
    );
    await snapshotThenOutage(shop, sku);
    ordersBefore = await totalOrders(shop);
    const page = await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env)).text();
    expect(page).toContain("Subtotal: €14.50");
    // The form's own button reviews; it never places the order in one go.
    expect(page).toMatch(/<button[^>]*name="step"[^>]*value="review"[^>]*>Review order<\/button>/);
    expect(page).not.toContain(">Place order</button>");

    const token = formToken();
    const response = await postCheckout(shop, checkoutFields({ sku, qty: "3", token, step: "review" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    const html = await response.text();
    expect(html).toContain("<title>Check your order: €43.50");
    expect(html).toMatch(/<h1[^>]*>Check your order<\/h1>/);
    expect(html).toContain(`3 × <a href="/p/1">Yirgacheffe 250 g</a>`);
    expect(html).toContain("Subtotal: €43.50");
    expect(html).not.toContain("€14.50 ×");
    // The same form, filled in, with the same token and one clear button that places the order.
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).toMatch(/<input[^>]*name="qty"[^>]*value="3"/);
    expect(html).toContain('value="Ada Lovelace"');
    expect(html).toMatch(/<button type="submit">Place order<\/button>/);
    expect(html).toMatch(/<button[^>]*name="step"[^>]*value="review"[^>]*>Update total<\/button>/);

    expect(await newOrders(shop)).toBe(0);
    expect(await stockLeft(shop, sku, 5)).toBe(5);
  });

  it("places exactly one order for the reviewed quantity on the final submit", async () => {
    const sku = unique("FIN");
    shop = await shopWithFeed([{ sku, name: "Kenya AA", price: 1450, currency: "EUR", stock: 5 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    ordersBefore = await totalOrders(shop);
    const review = await postCheckout(shop, checkoutFields({ sku, qty: "3", step: "review" }));
    const fields = formFields(await review.text());
    expect(fields.step).toBeUndefined();

    const placed = await postCheckout(shop, fields);
    expect(placed.status).toBe(303);
    expect(placed.headers.get("location")).toMatch(/^\/__stayopen\/orders\/[0-9a-f]+$/);
    expect(await newOrders(shop)).toBe(1);
    expect(await stockLeft(shop, sku, 5)).toBe(2);
    // Sent again (Back, then the button once more): still that one order.
    const again = await postCheckout(shop, fields);
    expect(again.headers.get("location")).toBe(placed.headers.get("location"));
    expect(await newOrders(shop)).toBe(1);
  });

  it("shows the new total instead of placing when the quantity changed after the review", async () => {
    const sku = unique("CHG");
    shop = await shopWithFeed([{ sku, name: "Sidamo", price: 1000, currency: "EUR", stock: null }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    ordersBefore = await totalOrders(shop);
    const review = await postCheckout(shop, checkoutFields({ sku, qty: "3", step: "review" }));
    const fields = formFields(await review.text());

    const changed = await postCheckout(shop, { ...fields, qty: "4" });
    expect(changed.status).toBe(200);
    const html = await changed.text();
    expect(html).toContain("Subtotal: €40.00");
    expect(html).toContain("The total changed");
    expect(await newOrders(shop)).toBe(0);

    const placed = await postCheckout(shop, formFields(html));
    expect(placed.status).toBe(303);
    expect(await newOrders(shop)).toBe(1);
  });

  it("reviews with the same field checks as placing, and says when too few are left", async () => {
    const sku = unique("BAD");
    shop = await shopWithFeed([{ sku, name: "Grinder", price: 9900, currency: "EUR", stock: 2 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    ordersBefore = await totalOrders(shop);
    const invalid = await postCheckout(shop, checkoutFields({ sku, qty: "1", email: "nope", step: "review" }));
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain("Enter a valid email address");

    const tooMany = await postCheckout(shop, checkoutFields({ sku, qty: "3", step: "review" }));
    expect(tooMany.status).toBe(409);
    const html = await tooMany.text();
    expect(html).toContain("only 2 of Grinder are left");
    expect(html).toContain("Subtotal: €297.00");
    expect(await newOrders(shop)).toBe(0);
    expect(await stockLeft(shop, sku, 2)).toBe(2);
  });

  it("answers a JSON client's review with the order's total and places nothing", async () => {
    const sku = unique("JREV");
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: null }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    ordersBefore = await totalOrders(shop);
    const response = await postCheckout(shop, checkoutFields({ sku, qty: "3", step: "review" }), {
      accept: "application/json",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "review",
      items: [{ sku, name: "Beans", qty: 3, price: 990, currency: "EUR" }],
      total: 2970,
      currency: "EUR",
      priceAsOf: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await newOrders(shop)).toBe(0);
  });

  it("still places a contract POST without the review marker directly", async () => {
    const sku = unique("API");
    shop = await shopWithFeed([{ sku, name: "Beans", price: 990, currency: "EUR", stock: 4 }], NO_LIMIT);
    await snapshotThenOutage(shop, sku);
    ordersBefore = await totalOrders(shop);
    const { token: _token, ...contract } = checkoutFields({ sku, qty: "2" });
    const response = await postCheckout(shop, contract);
    expect(response.status).toBe(303);
    expect(await newOrders(shop)).toBe(1);
    expect(await stockLeft(shop, sku, 4)).toBe(2);
  });
});

describe("product pictures", () => {
  it("shows the feed's image with the product name as alt text in the list and the order summary", async () => {
    const sku = unique("IMG");
    shop = await shopWithFeed(
      [
        { sku, name: "Aeropress", price: 3990, currency: "EUR", stock: 3, image: "/assets/img/aeropress.jpg" },
        {
          sku: unique("IMG"),
          name: "Filter papers",
          price: 450,
          currency: "EUR",
          stock: null,
          image: "https://cdn.example/papers.png",
        },
        { sku: unique("IMG"), name: "Scoop", price: 300, currency: "EUR", stock: null },
      ],
      NO_LIMIT,
    );
    const list = await (await dispatch("https://shop.test/__stayopen/checkout", shop.env)).text();
    expect(list).toMatch(/<img[^>]*src="\/assets\/img\/aeropress.jpg"[^>]*alt="Aeropress"/);
    expect(list).toMatch(/<img[^>]*src="https:\/\/cdn.example\/papers.png"[^>]*alt="Filter papers"/);
    expect(list.match(/<img /g)?.length).toBe(2);
    for (const [img] of list.matchAll(/<img [^>]*>/g)) expect(img).toMatch(/width="\d+" height="\d+"/);

    const page = await (await dispatch(`https://shop.test/__stayopen/checkout?sku=${sku}`, shop.env)).text();
    expect(page).toMatch(/<img[^>]*src="\/assets\/img\/aeropress.jpg"[^>]*alt="Aeropress"/);
    const review = await (await postCheckout(shop, checkoutFields({ sku, qty: "2", step: "review" }))).text();
    expect(review).toMatch(/<img[^>]*src="\/assets\/img\/aeropress.jpg"[^>]*alt="Aeropress"/);
  });
});
