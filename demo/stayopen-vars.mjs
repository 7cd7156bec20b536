// The demo shop's stayopen settings (branding, pages, feed, its session cookie): the shipped wrangler.toml
// holds none of them. `npm start`, the e2e, chaos and bench runs and the vitest bindings all read them here.
import { readFileSync } from "node:fs";
import { LOGO_PATH } from "./shops.mjs";

/** @type {Record<string, string>} */
export const demoVars = JSON.parse(readFileSync(new URL("./stayopen-vars.json", import.meta.url), "utf8"));

/**
 * One of the `npm start -- --shops N` shops (demo/shops.mjs) as the platform API registers it: the demo's
 * settings with the shop's own origin, address and branding. Its secrets go separately (`secrets` in the PUT).
 * @param {import("./shops.mjs").DemoShop} shop
 * @returns {Record<string, string>}
 */
export function demoShopVars(shop, { originUrl, shopUrl }) {
  return {
    ...demoVars,
    ORIGIN_URL: originUrl,
    SHOP_URL: shopUrl,
    SHOP_NAME: shop.name,
    ...(shop.color ? { BRAND_COLOR: shop.color, LOGO_URL: LOGO_PATH } : {}),
    SUPPORT_EMAIL: shop.supportEmail,
  };
}
