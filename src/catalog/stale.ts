import type { Source } from "../http/source";
import { joinOrRun } from "../shared-copy";
import { bannerBytes, bannerPlace, withBanner, type BannerPlace } from "./banner";
import type { Snapshot } from "./store";

/** A snapshot's stored content headers, plus its age in whole seconds. */
export function snapshotHeaders(snapshot: Snapshot, now: number): Headers {
  const headers = new Headers(snapshot.headers);
  headers.set("age", String(Math.max(0, Math.floor((now - snapshot.storedAt) / 1000))));
  return headers;
}

/**
 * Where the banner goes in each remembered snapshot, found once per snapshot
 * (keyed by its body, so it lives exactly as long as the snapshot is held):
 * serving it is then two slices and the banner instead of running the whole
 * page through HTMLRewriter on every hit.
 */
const places = new WeakMap<ArrayBuffer, BannerPlace>();

const htmlType = (headers: [string, string][]) =>
  headers.find(([name]) => name === "content-type")?.[1].toLowerCase() ?? "";

/** Only UTF-8 pages are spliced: in another charset HTMLRewriter encodes the banner in the page's own. */
const isUtf8Html = (contentType: string) =>
  contentType.includes("text/html") && (!contentType.includes("charset") || /charset="?utf-8/.test(contentType));

const finding = new WeakMap<ArrayBuffer, Promise<void>>();

/** How long a request waits for another request's search of the same page before it searches itself. */
const JOIN_SEARCH_MS = 250;

/**
 * Finds where the banner goes in an HTML snapshot about to be served, once per
 * snapshot: requests for the page that come by meanwhile wait for the same
 * search, for a moment (it runs in the request that started it; see `joinOrRun`).
 */
export function prepareStale(snapshot: Snapshot): Promise<void> {
  const contentType = htmlType(snapshot.headers);
  if (!isUtf8Html(contentType) || places.has(snapshot.body)) return Promise.resolve();
  return joinOrRun(finding, snapshot.body, JOIN_SEARCH_MS, () =>
    bannerPlace(snapshot.body, contentType).then(
      (place) => void places.set(snapshot.body, place),
      // The rewriter on every request, as before: a page it cannot search is still served.
      () => void places.set(snapshot.body, "rewrite"),
    ),
  );
}

/**
 * The page as served, built once per snapshot and banner (the banner only
 * changes with the operator's message) as a Blob: a Response made from a Blob
 * shares its bytes, where one made from an ArrayBuffer copies them on every
 * request. Lives as long as the snapshot's body does.
 */
const spliced = new WeakMap<ArrayBuffer, { banner: Uint8Array | null; page: Blob }>();

/** A page served without a banner (not HTML, or HTML without a body element), as a Blob built once. */
function asServed(snapshot: Snapshot): Blob {
  const known = spliced.get(snapshot.body);
  if (known?.banner === null) return known.page;
  const page = new Blob([snapshot.body]);
  spliced.set(snapshot.body, { banner: null, page });
  return page;
}

function withBannerSpliced(snapshot: Snapshot, at: number, offerCheckout: boolean, message: string | null): Blob {
  const banner = bannerBytes(snapshot.storedAt, offerCheckout, message);
  const known = spliced.get(snapshot.body);
  if (known?.banner === banner) return known.page;
  const page = new Blob([new Uint8Array(snapshot.body, 0, at), banner, new Uint8Array(snapshot.body, at)]);
  spliced.set(snapshot.body, { banner, page });
  return page;
}

export type StaleOptions = {
  /** The shop has a product feed: the banner offers the edge checkout. */
  offerCheckout?: boolean;
  /** `backup` for a copy from the static export. */
  source?: Extract<Source, "stale" | "backup">;
  /** The operator's incident message while maintenance is forced, shown in the banner. */
  message?: string | null;
};

/**
 * A snapshot served in place of the live page: its stored status and content
 * headers, its age, marked stale (or `backup`), never cached downstream, HTML
 * with a banner. The banner changes an HTML page's bytes, so its ETag no
 * longer names them and is dropped.
 */
export function staleResponse(
  snapshot: Snapshot,
  method: string,
  now = Date.now(),
  { offerCheckout = false, source = "stale", message = null }: StaleOptions = {},
): Response {
  const headers = snapshotHeaders(snapshot, now);
  headers.set("cache-control", "no-store");
  headers.set("x-stayopen-source", source);
  headers.set("x-stayopen-stored-at", new Date(snapshot.storedAt).toISOString());
  const isHtml = headers.get("content-type")?.includes("text/html") ?? false;
  if (isHtml) headers.delete("etag");
  if (method === "HEAD") return new Response(null, { status: snapshot.status, headers });
  const init = { status: snapshot.status, headers };
  if (!isHtml) return new Response(asServed(snapshot), init);
  const place = places.get(snapshot.body);
  if (place === "none") return new Response(asServed(snapshot), init);
  if (place === undefined || place === "rewrite")
    return withBanner(new Response(snapshot.body, init), snapshot.storedAt, offerCheckout, message);
  return new Response(withBannerSpliced(snapshot, place.at, offerCheckout, message), init);
}
