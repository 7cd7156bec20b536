// Server-rendered HTML. Every interpolation goes through escapeHtml unless it
// is already rendered markup, so product data and user input cannot inject HTML.
// (The tag is named `markup`, not `html`, so formatters leave the output alone.)
import { formatPrice, productImageUrl, productUrl } from "./catalog.mjs";
import { LOGO_PATH } from "./shops.mjs";

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

class Markup {
  constructor(text) {
    this.text = text;
  }
  toString() {
    return this.text;
  }
}

function render(value) {
  if (value == null || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (value instanceof Markup) return value.text;
  return escapeHtml(value);
}

/** Tagged template: markup`<p>${name}</p>` escapes name; nested markup`` and arrays pass through. */
function markup(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new Markup(out);
}

function stockLabel(stock) {
  if (stock === null) return "Available";
  if (stock === 0) return "Sold out";
  if (stock === 1) return "Only 1 left";
  return `${stock} in stock`;
}

function productCard(p) {
  return markup`<li class="card">
    <a href="${productUrl(p)}">
      <img src="${productImageUrl(p)}" alt="${p.name}" width="240" height="240" loading="lazy">
      <span class="card-name">${p.name}</span>
    </a>
    <span class="price">${formatPrice(p.price)}</span>
  </li>`;
}

function cartTable(lines, total) {
  return markup`<table class="cart">
    <caption class="visually-hidden">Items in your cart</caption>
    <thead><tr><th scope="col">Product</th><th scope="col">Qty</th><th scope="col">Price</th></tr></thead>
    <tbody>${lines.map(
      (l) => markup`<tr>
        <td><a href="${productUrl(l.product)}">${l.product.name}</a></td>
        <td>${l.qty}</td>
        <td>${formatPrice(l.product.price * l.qty)}</td>
      </tr>`,
    )}</tbody>
    <tfoot><tr><th scope="row" colspan="2">Total</th><td>${formatPrice(total)}</td></tr></tfoot>
  </table>`;
}

function customerFields() {
  return markup`<label for="name">Name</label>
    <input id="name" name="name" autocomplete="name" required>
    <label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="email" required>
    <label for="address">Delivery address</label>
    <textarea id="address" name="address" autocomplete="street-address" rows="3" required></textarea>
    <label for="payment">Payment</label>
    <select id="payment" name="payment">
      <option value="later">Invoice, pay after delivery</option>
    </select>`;
}

export function createPages({ shop, shopLabel, catalog }) {
  const { categories, categoryBySlug, products, productsInCategory } = catalog;
  const SHOP_NAME = shop.name;
  // A shop with its own colour (the --shops demo) shows it and its logo; Harbour keeps the stylesheet's look.
  const brandStyle = shop.color ? markup`<style>:root { --accent: ${shop.color}; }</style>\n` : "";
  const logo = shop.color ? markup`<img class="logo" src="${LOGO_PATH}" alt="" width="32" height="32"> ` : "";

  // Public pages must be identical for every shopper (no cart count in the
  // header): stayopen snapshots them and serves them to everyone.
  function layout({ title, body }) {
    return markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${SHOP_NAME}</title>
<link rel="stylesheet" href="/assets/shop.css">
${brandStyle}</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <a class="brand" href="/">${logo}${SHOP_NAME}</a>
  <nav aria-label="Main">
    <ul>
      ${categories.map((c) => markup`<li><a href="/c/${c.slug}">${c.name}</a></li>`)}
      <li><a href="/cart">Cart</a></li>
      <li><a href="/account">Account</a></li>
    </ul>
  </nav>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site-footer">
  <p>${SHOP_NAME} · demo shop origin for stayopen · <span data-shop-label="${shopLabel}">${shopLabel} origin</span></p>
</footer>
</body>
</html>
`;
  }

  return {
    home() {
      return layout({
        title: "Fresh coffee and tea",
        body: markup`<section class="hero">
  <h1>Freshly roasted coffee, honest tea</h1>
  <p>Roasted on Tuesday, shipped on Wednesday. Free delivery from €40.</p>
  <p><a class="button" href="/c/coffee">Shop coffee</a></p>
</section>
<section aria-labelledby="featured-heading">
  <h2 id="featured-heading">Featured</h2>
  <ul class="grid">${products.filter((p) => p.featured).map(productCard)}</ul>
</section>
<section aria-labelledby="categories-heading">
  <h2 id="categories-heading">Browse</h2>
  <ul class="categories">
    ${categories.map((c) => markup`<li><a href="/c/${c.slug}">${c.name}</a> <span>${c.blurb}</span></li>`)}
  </ul>
</section>`,
      });
    },

    category(slug) {
      const category = categoryBySlug(slug);
      return layout({
        title: category.name,
        body: markup`<h1>${category.name}</h1>
<p>${category.blurb}</p>
<ul class="grid">${productsInCategory(slug).map(productCard)}</ul>`,
      });
    },

    product(p) {
      const category = categoryBySlug(p.category);
      return layout({
        title: p.name,
        body: markup`<nav aria-label="Breadcrumb" class="breadcrumb"><a href="/">Home</a> › <a href="/c/${category.slug}">${category.name}</a></nav>
<article class="product" data-sku="${p.sku}">
  <img src="${productImageUrl(p)}" alt="${p.name}" width="360" height="360">
  <div>
    <h1>${p.name}</h1>
    <p class="price">${formatPrice(p.price)}</p>
    <p class="stock">${stockLabel(p.stock)}</p>
    <p>${p.description}</p>
    <form class="add-to-cart" method="post" action="/cart/add">
      <input type="hidden" name="sku" value="${p.sku}">
      <label for="qty-cart">Quantity</label>
      <input id="qty-cart" name="qty" type="number" min="1" max="99" value="1" inputmode="numeric">
      <button type="submit">Add to cart</button>
    </form>
  </div>
</article>
<section aria-labelledby="buy-now-heading" class="buy-now">
  <h2 id="buy-now-heading">Buy now</h2>
  <form method="post" action="/api/orders">
    <input type="hidden" name="sku" value="${p.sku}">
    <label for="qty-buy">Quantity</label>
    <input id="qty-buy" name="qty" type="number" min="1" max="99" value="1" inputmode="numeric">
    ${customerFields()}
    <button type="submit">Place order</button>
  </form>
</section>`,
      });
    },

    cart(sessionId, lines, total) {
      return layout({
        title: "Your cart",
        body: markup`<h1>Your cart</h1>
<p data-session="${sessionId}">Cart for session ${sessionId}</p>
${
  lines.length
    ? markup`${cartTable(lines, total)}<p><a class="button" href="/checkout">Go to checkout</a></p>`
    : markup`<p>Your cart is empty. <a href="/">Keep shopping</a>.</p>`
}`,
      });
    },

    checkout(sessionId, lines, total) {
      if (!lines.length) {
        return layout({
          title: "Checkout",
          body: markup`<h1>Checkout</h1><p>Your cart is empty. <a href="/">Keep shopping</a>.</p>`,
        });
      }
      return layout({
        title: "Checkout",
        body: markup`<h1>Checkout</h1>
<p data-session="${sessionId}">Checkout for session ${sessionId}</p>
${cartTable(lines, total)}
<form method="post" action="/api/orders">
  ${lines.map((l) => markup`<input type="hidden" name="sku" value="${l.product.sku}"><input type="hidden" name="qty" value="${l.qty}">`)}
  <input type="hidden" name="from" value="checkout">
  ${customerFields()}
  <button type="submit">Place order</button>
</form>`,
      });
    },

    orderReceived(order) {
      return layout({
        title: `Order ${order.orderId}`,
        body: markup`<h1>Thank you, order ${order.orderId} received</h1>
<p>We have your order and will email ${order.body.email || "you"} when it ships.</p>
<ul>${order.items.map((i) => markup`<li>${i.qty} × ${i.name}</li>`)}</ul>
<p>Total: <strong>${formatPrice(order.total)}</strong></p>
<p><a href="/">Back to the shop</a></p>`,
      });
    },

    problem(title, message) {
      return layout({
        title,
        body: markup`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the shop</a></p>`,
      });
    },

    login() {
      return layout({
        title: "Sign in",
        body: markup`<h1>Sign in</h1>
<p>Customer accounts are not part of this demo shop. You can browse and order without one.</p>
<p><a href="/">Continue shopping</a></p>`,
      });
    },

    notFound() {
      return layout({
        title: "Page not found",
        body: markup`<h1>Page not found</h1>
<p>We could not find that page. Try the <a href="/">home page</a> or one of our categories.</p>`,
      });
    },
  };
}

/** The bare page a broken origin returns in "error" mode: deliberately not the shop's layout. */
export function originErrorPage(status) {
  return markup`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${status} Server Error</title></head>
<body><main><h1>${status} Server Error</h1><p>The shop's server is failing (demo error mode).</p></main></body>
</html>
`;
}
