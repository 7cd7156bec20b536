// The demo's shops. `node demo/server.mjs` is Harbour Coffee & Tea; with DEMO_SHOP=alpha|beta|gamma it is one
// of the three shops `npm start -- --shops 3` puts behind one worker. The branding here is both what the
// origin renders and what start.mjs registers with stayopen (SHOP_NAME, BRAND_COLOR, LOGO_URL), so the
// worker's own pages for a shop match the shop's pages.

/** @typedef {{ id: string, name: string, color?: string, supportEmail: string, productPrefix?: string }} DemoShop */

/** @type {DemoShop} */
export const harbour = { id: "harbour", name: "Harbour Coffee & Tea", supportEmail: "help@harbour-coffee.example" };

/** @type {DemoShop[]} Colours meet WCAG AA for links and white button text on the shop's paper. */
export const demoShops = [
  {
    id: "alpha",
    name: "Alpha Roasters",
    color: "#9a3412",
    supportEmail: "help@alpha-roasters.example",
    productPrefix: "Alpha",
  },
  {
    id: "beta",
    name: "Beta Tea House",
    color: "#166534",
    supportEmail: "help@beta-tea.example",
    productPrefix: "Beta",
  },
  {
    id: "gamma",
    name: "Gamma Brew Bar",
    color: "#1e40af",
    supportEmail: "help@gamma-brew.example",
    productPrefix: "Gamma",
  },
];

/** The shop a DEMO_SHOP value names (unset or empty → Harbour), or undefined for an unknown name. */
export function demoShop(id) {
  if (!id) return harbour;
  return demoShops.find((shop) => shop.id === id);
}

export const LOGO_PATH = "/assets/logo.svg";
