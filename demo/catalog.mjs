// The demo shop's catalog. Prices are integers in minor units (cents) so no
// float ever touches money; stock null means the shop does not track it.
// Every demo shop sells the same SKUs; a shop's productPrefix makes its names its own.

export const CURRENCY = "EUR";

const categories = [
  { slug: "coffee", name: "Coffee", blurb: "Single origins and blends, roasted every Tuesday." },
  { slug: "tea", name: "Tea", blurb: "Loose-leaf teas from small gardens." },
  { slug: "gear", name: "Gear", blurb: "Tools for brewing a better cup at home." },
];

const baseProducts = [
  {
    id: 1,
    sku: "COF-YIRG-250",
    category: "coffee",
    name: "Ethiopia Yirgacheffe, whole bean 250 g",
    description:
      "Washed heirloom varieties from the Gedeo zone. Bright and floral, with notes of jasmine, bergamot and lemon curd. Best as pour-over.",
    price: 1450,
    stock: 24,
    featured: true,
  },
  {
    id: 2,
    sku: "COF-HUIL-250",
    category: "coffee",
    name: "Colombia Huila, whole bean 250 g",
    description:
      "A smallholder lot from the slopes above Pitalito. Red apple, panela and milk chocolate; sweet as espresso and as filter.",
    price: 1290,
    stock: 1,
    featured: false,
  },
  {
    id: 3,
    sku: "COF-HOUSE-1KG",
    category: "coffee",
    name: "House Espresso Blend 1 kg",
    description:
      "Brazil and Guatemala, roasted a touch darker for milk drinks. Hazelnut, cocoa and a long caramel finish.",
    price: 3400,
    stock: 8,
    featured: true,
  },
  {
    id: 4,
    sku: "COF-DECAF-250",
    category: "coffee",
    name: "Peru Decaf (sugarcane process) 250 g",
    description:
      "Decaffeinated with ethyl acetate from fermented sugarcane, which keeps the sweetness. Brown sugar, orange and almond.",
    price: 1350,
    stock: 15,
    featured: false,
  },
  {
    id: 5,
    sku: "TEA-DARJ-100",
    category: "tea",
    name: "First Flush Darjeeling 100 g",
    description:
      "Spring picking from the Castleton estate. Light, muscatel and floral; steep at 85 °C for three minutes.",
    price: 1680,
    stock: 12,
    featured: true,
  },
  {
    id: 6,
    sku: "TEA-GYOK-50",
    category: "tea",
    name: "Gyokuro Asahi 50 g",
    description:
      "Shade-grown for three weeks before harvest in Yame, Fukuoka. Deep umami and a sweet, marine finish. Brew cool, at 60 °C.",
    price: 2100,
    stock: 5,
    featured: false,
  },
  {
    id: 7,
    sku: "TEA-EARL-100",
    category: "tea",
    name: "Earl Grey Cream 100 g",
    description:
      "Ceylon black tea with cold-pressed bergamot oil and a little vanilla. A softer Earl Grey that takes milk well.",
    price: 990,
    stock: 30,
    featured: false,
  },
  {
    id: 8,
    sku: "TEA-ROOI-100",
    category: "tea",
    name: "Rooibos Vanilla 100 g",
    description:
      "Organic rooibos from the Cederberg with Madagascar vanilla pieces. Caffeine-free and forgiving: it never turns bitter.",
    price: 750,
    stock: 40,
    featured: false,
  },
  {
    id: 9,
    sku: "GEAR-GRIND-01",
    category: "gear",
    name: "Hand Grinder with steel burrs",
    description:
      "38 mm stainless conical burrs and 40 click settings, from espresso to French press. Grinds 20 g in under a minute.",
    price: 8900,
    stock: 6,
    featured: true,
  },
  {
    id: 10,
    sku: "GEAR-DRIP-02",
    category: "gear",
    name: "Ceramic Pour-over Dripper, size 02",
    description:
      "Glazed porcelain with spiral ribs for an even flow. Brews one to four cups; fits size 02 paper filters.",
    price: 2400,
    stock: 18,
    featured: false,
  },
  {
    id: 11,
    sku: "GEAR-KETTLE-1L",
    category: "gear",
    name: "Gooseneck Kettle 1 L",
    description: "Stainless steel stovetop kettle with a narrow spout for a slow, precise pour. Works on induction.",
    price: 5900,
    stock: 4,
    featured: false,
  },
  {
    id: 12,
    sku: "GEAR-FILT-100",
    category: "gear",
    name: "Paper Filters, size 02, 100 pcs",
    description: "Oxygen-bleached paper filters for size 02 drippers. Always restocked, so we do not count them.",
    price: 590,
    stock: null,
    featured: false,
  },
];

/** One shop's catalog: the products named for it (e.g. "Beta Gyokuro Asahi 50 g") and the look-ups over them. */
export function createCatalog({ productPrefix } = {}) {
  const products = productPrefix
    ? baseProducts.map((p) => ({ ...p, name: `${productPrefix} ${p.name}` }))
    : baseProducts;
  const bySku = new Map(products.map((p) => [p.sku, p]));
  const byId = new Map(products.map((p) => [String(p.id), p]));
  return {
    categories,
    products,
    productById: (id) => byId.get(String(id)),
    productBySku: (sku) => (typeof sku === "string" ? bySku.get(sku) : undefined),
    categoryBySlug: (slug) => categories.find((c) => c.slug === slug),
    productsInCategory: (slug) => products.filter((p) => p.category === slug),
  };
}

export function productUrl(product) {
  return `/p/${product.id}`;
}

export function productImageUrl(product) {
  return `/assets/img/${product.id}.svg`;
}

/** Integer math only: 1999 → "€19.99". */
export function formatPrice(minor) {
  return `€${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
}

/** The product as the contract's feed item (DESIGN.md, "Selling while the origin is down"). */
export function toFeedItem(product) {
  return {
    sku: product.sku,
    name: product.name,
    price: product.price,
    currency: CURRENCY,
    stock: product.stock,
    url: productUrl(product),
    image: productImageUrl(product),
  };
}
