import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { withBanner } from "../../src/catalog/banner";
import { prepareStale, staleResponse } from "../../src/catalog/stale";
import {
  readSnapshot,
  rememberedSnapshotBytes,
  REMEMBER_MAX_TOTAL_BYTES,
  writeSnapshot,
  type Snapshot,
} from "../../src/catalog/store";

const storedAt = Date.UTC(2026, 10, 26, 15, 40);
const snapshotOf = (html: string, contentType = "text/html; charset=utf-8"): Snapshot => ({
  status: 200,
  headers: [["content-type", contentType]],
  storedAt,
  body: new TextEncoder().encode(html).buffer as ArrayBuffer,
});

/** The page as the rewriter makes it on every request: what a prepared snapshot must equal byte for byte. */
async function rewritten(snapshot: Snapshot, message: string | null): Promise<Uint8Array> {
  const response = new Response(snapshot.body, { headers: snapshot.headers });
  return new Uint8Array(await withBanner(response, snapshot.storedAt, true, message).arrayBuffer());
}

describe("stale pages with the banner spliced in", () => {
  const pages: [string, string, string?][] = [
    ["a plain page", "<!doctype html><html><head><title>Tea</title></head><body><h1>Tea</h1></body></html>"],
    ["attributes with a > in them", `<html><body class="a" data-x="1 > 0" onload="go()"><p>Tea</p></body></html>`],
    ["text before the body in other scripts", "<html><head><title>Café · 茶 · 🍵</title></head><body>ü</body></html>"],
    ["a comment that looks like a body", "<html><!-- <body> --><body id=b>tea</body></html>"],
    ["no body element", "<p>just a fragment</p>"],
    ["two body elements", "<html><body>one</body><body>two</body></html>"],
    ["another charset", "<html><body>caf\u00e9</body></html>", "text/html; charset=iso-8859-1"],
  ];
  for (const [name, html, contentType] of pages) {
    it(`serves ${name} exactly as the rewriter would, message or not`, async () => {
      const snapshot = snapshotOf(html, contentType);
      await prepareStale(snapshot);
      for (const message of [null, "Back at 6 <b>pm</b> & ready"]) {
        const served = staleResponse(snapshot, "GET", storedAt + 90_000, { offerCheckout: true, message });
        expect(served.headers.get("x-stayopen-source")).toBe("stale");
        expect(served.headers.get("age")).toBe("90");
        expect(new TextDecoder().decode(await served.arrayBuffer())).toBe(
          new TextDecoder().decode(await rewritten(snapshot, message)),
        );
      }
      // Serving never changes the snapshot other requests share.
      expect(new TextDecoder().decode(snapshot.body)).toBe(html);
    });
  }

  it("answers HEAD with the headers and no body", async () => {
    const snapshot = snapshotOf("<html><body>tea</body></html>");
    await prepareStale(snapshot);
    const served = staleResponse(snapshot, "HEAD", storedAt);
    expect(served.body).toBeNull();
    expect(served.headers.get("content-type")).toContain("text/html");
  });
});

describe("snapshots remembered by the isolate", () => {
  it("holds at most REMEMBER_MAX_TOTAL_BYTES of snapshot bodies, however many pages are read", async () => {
    const body = `<html><body>${"x".repeat(900 * 1024)}</body></html>`;
    const options = { maxBytes: 2 * 1024 * 1024, fromBackup: false };
    const keys = Array.from({ length: 24 }, (_, i) => `shop.test/remember-${i}-${crypto.randomUUID()}`);
    for (const key of keys) {
      const page = new Response(body, { headers: { "content-type": "text/html" } });
      expect(await writeSnapshot(env as Env, "s", "shop.test", key, page, options)).toBe("stored");
    }
    for (const key of keys) {
      const snapshot = await readSnapshot(env as Env, "s", "shop.test", key, () => undefined);
      expect(snapshot!.body.byteLength).toBe(body.length);
      expect(rememberedSnapshotBytes()).toBeLessThanOrEqual(REMEMBER_MAX_TOTAL_BYTES);
    }
    // 24 pages of 900 KB are 21 MB: the oldest were let go, the newest are held.
    expect(rememberedSnapshotBytes()).toBeGreaterThan(REMEMBER_MAX_TOTAL_BYTES - 1024 * 1024);
  });

  it("reads a page from storage once and serves the next requests from the same copy", async () => {
    const key = `shop.test/once-${crypto.randomUUID()}`;
    const page = new Response("<html><body>tea</body></html>", { headers: { "content-type": "text/html" } });
    await writeSnapshot(env as Env, "s", "shop.test", key, page, { maxBytes: 4096, fromBackup: false });
    const first = await readSnapshot(env as Env, "s", "shop.test", key, () => undefined);
    const second = await readSnapshot(env as Env, "s", "shop.test", key, () => undefined);
    expect(second).toBe(first);
  });

  it("serves a page this isolate stores anew from its new copy at once", async () => {
    const key = `shop.test/renew-${crypto.randomUUID()}`;
    const options = { maxBytes: 4096, fromBackup: false };
    const page = (text: string) =>
      new Response(`<html><body>${text}</body></html>`, { headers: { "content-type": "text/html" } });
    await writeSnapshot(env as Env, "s", "shop.test", key, page("old"), options);
    const first = await readSnapshot(env as Env, "s", "shop.test", key, () => undefined);
    expect(new TextDecoder().decode(first!.body)).toContain("old");
    await writeSnapshot(env as Env, "s", "shop.test", key, page("new"), options);
    const second = await readSnapshot(env as Env, "s", "shop.test", key, () => undefined);
    expect(new TextDecoder().decode(second!.body)).toContain("new");
  });
});
