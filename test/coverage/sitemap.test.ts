import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collectLocs, readSitemap } from "../../src/coverage/sitemap";
import { FakeOrigin } from "../support/origin";
import { shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";

let origin: FakeOrigin;
beforeEach(async () => {
  origin = await FakeOrigin.start();
});
afterEach(() => origin.stop());

const urlset = (locs: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${locs.map((loc) => `<url><loc>${loc}</loc></url>`).join("")}</urlset>`;

function streamOf(text: string, chunkSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe("collectLocs", () => {
  it("finds <loc> entries split across chunks, decoding entities and CDATA", async () => {
    const xml = urlset(["https://shop.test/a?x=1&amp;y=2", "<![CDATA[https://shop.test/b]]>", " https://shop.test/c "]);
    const found = await collectLocs(streamOf(xml, 7), 10);
    expect(found).toEqual({
      index: false,
      locs: ["https://shop.test/a?x=1&y=2", "https://shop.test/b", "https://shop.test/c"],
      truncated: false,
    });
  });

  it("stops at the limit and says the list was cut", async () => {
    const xml = urlset(Array.from({ length: 50 }, (_, i) => `https://shop.test/p/${i}`));
    const found = await collectLocs(streamOf(xml, 64), 5);
    expect(found.locs).toHaveLength(5);
    expect(found.truncated).toBe(true);
  });

  it("stops reading past the byte budget", async () => {
    const xml = urlset(Array.from({ length: 500 }, (_, i) => `https://shop.test/p/${i}`));
    const found = await collectLocs(streamOf(xml, 100), 1000, 1000);
    expect(found.truncated).toBe(true);
    expect(found.locs.length).toBeLessThan(40);
  });

  it("recognises a sitemap index", async () => {
    const xml = `<sitemapindex><sitemap><loc>https://shop.test/sitemap-1.xml</loc></sitemap></sitemapindex>`;
    expect((await collectLocs(streamOf(xml, 5), 10)).index).toBe(true);
  });
});

describe("readSitemap", () => {
  it("follows a sitemap index on the origin and keeps only the shop's own pages as paths", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    await origin.route(`/index-${id}.xml`, {
      headers: { "content-type": "application/xml" },
      body: `<sitemapindex><sitemap><loc>https://shop.test/child-${id}.xml</loc></sitemap></sitemapindex>`,
    });
    await origin.route(`/child-${id}.xml`, {
      headers: { "content-type": "application/xml" },
      body: urlset([
        "https://shop.test/p/1",
        "https://shop.test/c/tea?page=2",
        "https://elsewhere.test/p/9",
        "https://shop.test/p/1",
      ]),
    });
    const shop = varsShop(shopEnv({ ORIGIN_URL: origin.url, SITEMAP_URL: `/index-${id}.xml` }));

    expect(await readSitemap(shop, "https://shop.test")).toEqual({
      ok: true,
      paths: ["/p/1", "/c/tea?page=2"],
      truncated: false,
    });
    expect(await origin.requests(`/child-${id}.xml`)).toHaveLength(1);
    expect((await origin.requests(`/index-${id}.xml`))[0]?.headers["user-agent"]).toBe("stayopen-prewarm");
  });

  it("reports a sitemap the origin will not serve", async () => {
    const shop = varsShop(shopEnv({ ORIGIN_URL: origin.url, SITEMAP_URL: `/missing-${crypto.randomUUID()}.xml` }));
    await origin.setMode({ mode: "status", status: 500 });
    expect(await readSitemap(shop, "https://shop.test")).toEqual({ ok: false, reason: "status_500" });
  });
});
