import type { Source } from "../http/source";
import { withBanner } from "./banner";
import type { Snapshot } from "./store";

/** A snapshot's stored content headers, plus its age in whole seconds. */
export function snapshotHeaders(snapshot: Snapshot, now: number): Headers {
  const headers = new Headers(snapshot.headers);
  headers.set("age", String(Math.max(0, Math.floor((now - snapshot.storedAt) / 1000))));
  return headers;
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
  const response = new Response(snapshot.body, { status: snapshot.status, headers });
  return isHtml ? withBanner(response, snapshot.storedAt, offerCheckout, message) : response;
}
