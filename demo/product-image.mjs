// Generated SVG product pictures, so the demo ships no binary assets but the
// pages still load images through the proxy like a real shop.
import { escapeHtml } from "./pages.mjs";

const PALETTE = {
  coffee: { bg: "#f3e9dc", fg: "#6f4e37" },
  tea: { bg: "#e6f0e0", fg: "#3f6b35" },
  gear: { bg: "#e4e9f0", fg: "#3b4a5a" },
};

const SHAPES = {
  // a coffee bag
  coffee: `<path d="M70 60h100l10 130H60z"/><rect x="90" y="40" width="60" height="24" rx="4"/>`,
  // a tea cup with saucer
  tea: `<path d="M60 90h110v40a55 55 0 0 1-110 0z"/><path d="M170 100h14a18 18 0 0 1 0 36h-16" fill="none" stroke="currentColor" stroke-width="10"/><rect x="40" y="180" width="150" height="10" rx="5"/>`,
  // a grinder/kettle silhouette
  gear: `<rect x="80" y="80" width="80" height="110" rx="10"/><circle cx="120" cy="60" r="22"/><rect x="116" y="20" width="8" height="30"/>`,
};

export function productSvg(product) {
  const { bg, fg } = PALETTE[product.category];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" width="240" height="240" role="img" aria-labelledby="t">
<title id="t">${escapeHtml(product.name)}</title>
<rect width="240" height="240" fill="${bg}"/>
<g fill="${fg}" color="${fg}">${SHAPES[product.category]}</g>
<text x="120" y="224" text-anchor="middle" font-family="sans-serif" font-size="14" fill="${fg}">${escapeHtml(product.sku)}</text>
</svg>
`;
}

/** The shop's logo: its initial on a disc of its colour (Harbour's is the stylesheet's accent). */
export function logoSvg(shop) {
  const color = shop.color ?? "#8a3b12";
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img" aria-labelledby="t">
<title id="t">${escapeHtml(shop.name)}</title>
<circle cx="32" cy="32" r="32" fill="${color}"/>
<text x="32" y="44" text-anchor="middle" font-family="sans-serif" font-size="34" font-weight="700" fill="#ffffff">${escapeHtml(shop.name[0])}</text>
</svg>
`;
}
