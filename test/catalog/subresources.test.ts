import { describe, expect, it } from "vitest";
import {
  MAX_ASSETS_PER_PAGE,
  cssUrls,
  htmlSubresources,
  parseSrcset,
  sameOriginAssets,
  subresourcesOf,
} from "../../src/catalog/subresources";

const html = (text: string) => new TextEncoder().encode(text);

describe("HTML entities in references", () => {
  it("are decoded in src, srcset and href, as a browser reads them", async () => {
    const page = html(`<html><head>
      <link rel="stylesheet" href="/theme.css?v=2&amp;lang=en">
      </head><body>
      <img src="/img?id=7&amp;w=800" srcset="/img?id=7&amp;w=400 400w, /img?id=7&#38;w=1600 1600w">
      <script src="/app.js?a=1&#x26;b=2"></script>
      </body></html>`);
    const urls = (await htmlSubresources(page, "https://s.test/p/1")).map((asset) => asset.url);
    expect(urls).toEqual([
      "https://s.test/theme.css?v=2&lang=en",
      "https://s.test/img?id=7&w=800",
      "https://s.test/img?id=7&w=400",
      "https://s.test/img?id=7&w=1600",
      "https://s.test/app.js?a=1&b=2",
    ]);
  });
});

describe("parseSrcset", () => {
  it("takes each candidate's URL and drops its descriptor", () => {
    expect(parseSrcset("small.jpg 480w, large.jpg 1080w")).toEqual(["small.jpg", "large.jpg"]);
    expect(parseSrcset("a.png 1x,b.png 2x")).toEqual(["a.png", "b.png"]);
    expect(parseSrcset("only.png")).toEqual(["only.png"]);
  });

  it("keeps commas that belong to a URL", () => {
    expect(parseSrcset("/img/w_100,h_50/a.jpg 100w, /img/w_200,h_100/a.jpg 200w")).toEqual([
      "/img/w_100,h_50/a.jpg",
      "/img/w_200,h_100/a.jpg",
    ]);
  });

  it("ends a URL at trailing commas and ignores empty candidates and extra whitespace", () => {
    expect(parseSrcset("a.jpg,, b.jpg 2x")).toEqual(["a.jpg", "b.jpg"]);
    expect(parseSrcset("  ,  c.jpg   100w  ,\n d.jpg\t200w , ")).toEqual(["c.jpg", "d.jpg"]);
    expect(parseSrcset("")).toEqual([]);
    expect(parseSrcset(" , , ")).toEqual([]);
  });

  it("does not split inside a parenthesised descriptor", () => {
    expect(parseSrcset("a.jpg (x, y), b.jpg 2x")).toEqual(["a.jpg", "b.jpg"]);
  });
});

describe("cssUrls", () => {
  it("finds url() in every quoting style and @import strings, not in comments", () => {
    const css = `
      @import "base.css";
      @import url('theme.css');
      /* background: url(commented.png); */
      @font-face { src: url("/fonts/a.woff2") format("woff2"), url(/fonts/a.woff) format("woff"); }
      .hero { background-image: url( 'hero.jpg' ); }
    `;
    expect(cssUrls(css)).toEqual(["base.css", "theme.css", "/fonts/a.woff2", "/fonts/a.woff", "hero.jpg"]);
  });
});

describe("sameOriginAssets", () => {
  const refs = (...list: string[]) => list.map((ref) => ({ ref, stylesheet: false }));

  it("resolves against the base and keeps only http(s) files on the page's origin, once each, without fragments", () => {
    const assets = sameOriginAssets(
      refs(
        "/a.css",
        "b.js",
        "https://cdn.example.com/c.js",
        "data:image/png;base64,xx",
        "/a.css#x",
        "//shop.test/d.png",
        "javascript:void(0)",
      ),
      "https://shop.test/c/coffee",
      "https://shop.test/c/coffee",
      10,
    );
    expect(assets.map((asset) => asset.url)).toEqual([
      "https://shop.test/a.css",
      "https://shop.test/c/b.js",
      "https://shop.test/d.png",
    ]);
  });

  it("stops at the limit", () => {
    const many = refs(...Array.from({ length: 50 }, (_, i) => `/img/${i}.png`));
    expect(sameOriginAssets(many, "https://shop.test/", "https://shop.test/", 5)).toHaveLength(5);
  });
});

describe("htmlSubresources", () => {
  it("collects stylesheets, icons, preloads, scripts, images and sources, with srcset", async () => {
    const page = `<!doctype html><html><head>
      <link rel="stylesheet" href="/css/site.css">
      <link rel="preload" href="/fonts/brand.woff2" as="font">
      <link rel="shortcut icon" href="/favicon.ico">
      <link rel="canonical" href="/c/coffee">
      <link rel="stylesheet" href="https://fonts.example.com/font.css">
      <script src="/js/app.js"></script>
      </head><body>
      <img src="/img/beans.jpg" srcset="/img/beans-2x.jpg 2x, https://cdn.example.com/x.jpg 3x" alt="">
      <picture><source srcset="/img/beans.webp 1x, /img/beans@2.webp 2x" type="image/webp"><source src="/video/clip.mp4"></picture>
      <a href="/p/1">not an asset</a>
      </body></html>`;
    const assets = await htmlSubresources(html(page), "https://shop.test/c/coffee");
    expect(assets).toEqual([
      { url: "https://shop.test/css/site.css", stylesheet: true },
      { url: "https://shop.test/fonts/brand.woff2", stylesheet: false },
      { url: "https://shop.test/favicon.ico", stylesheet: false },
      { url: "https://shop.test/js/app.js", stylesheet: false },
      { url: "https://shop.test/img/beans.jpg", stylesheet: false },
      { url: "https://shop.test/img/beans-2x.jpg", stylesheet: false },
      { url: "https://shop.test/img/beans.webp", stylesheet: false },
      { url: "https://shop.test/img/beans@2.webp", stylesheet: false },
      { url: "https://shop.test/video/clip.mp4", stylesheet: false },
    ]);
  });

  it("honours <base href> and stops at the per-page limit", async () => {
    const images = Array.from({ length: 40 }, (_, i) => `<img src="img/${i}.png">`).join("");
    const assets = await htmlSubresources(
      html(`<html><head><base href="/static/"></head><body>${images}</body></html>`),
      "https://shop.test/p/1",
    );
    expect(assets).toHaveLength(MAX_ASSETS_PER_PAGE);
    expect(assets[0]!.url).toBe("https://shop.test/static/img/0.png");
  });

  it("counts a picture once with all its widths, and keeps a page's scripts ahead of its pictures", async () => {
    // A storefront category page: 20 pictures with 10 widths each, its own script last.
    const widths = (i: number) =>
      Array.from({ length: 10 }, (_, w) => `/images?src=${i}.png&amp;w=${(w + 1) * 100} ${(w + 1) * 100}w`).join(", ");
    const pictures = Array.from({ length: 20 }, (_, i) => `<img src="/images?src=${i}.png" srcset="${widths(i)}">`);
    const assets = await htmlSubresources(
      html(`<html><head></head><body>${pictures.join("")}<script src="/assets/category.js"></script></body></html>`),
      "https://shop.test/accessories",
    );
    const urls = assets.map((asset) => asset.url);
    expect(urls).toContain("https://shop.test/assets/category.js");
    // 21 assets within the 30 allowed: the script and every picture, each with its src and every width.
    expect(urls).toHaveLength(1 + 20 * 11);
    expect(urls.filter((url) => url.includes("src=0.png&"))).toHaveLength(10);
    expect(urls.filter((url) => url.includes("src=19.png&"))).toHaveLength(10);
    expect(urls.at(-1)).toBe("https://shop.test/assets/category.js");
  });
});

describe("subresourcesOf", () => {
  it("reads HTML and CSS by content type, and finds nothing in anything else", async () => {
    const css = html(".a { background: url(../img/bg.png) } @import 'print.css';");
    expect(await subresourcesOf(css, "text/css; charset=utf-8", "https://shop.test/css/site.css")).toEqual([
      { url: "https://shop.test/img/bg.png", stylesheet: false },
      { url: "https://shop.test/css/print.css", stylesheet: true },
    ]);
    expect(await subresourcesOf(html('<img src="/x.png">'), "text/html", "https://shop.test/")).toHaveLength(1);
    expect(await subresourcesOf(html('{"url":"/x.png"}'), "application/json", "https://shop.test/")).toEqual([]);
  });
});
