import { withBanner } from "./banner";
import type { Snapshot } from "./store";

/**
 * A snapshot served in place of the live page: its stored status and content
 * headers, its age, marked stale, never cached downstream, HTML with a banner.
 */
export function staleResponse(snapshot: Snapshot, method: string, now = Date.now()): Response {
  const headers = new Headers(snapshot.headers);
  headers.set("age", String(Math.max(0, Math.floor((now - snapshot.storedAt) / 1000))));
  headers.set("cache-control", "no-store");
  headers.set("x-stayopen-source", "stale");
  headers.set("x-stayopen-stored-at", new Date(snapshot.storedAt).toISOString());
  const isHtml = headers.get("content-type")?.includes("text/html") ?? false;
  if (method === "HEAD") return new Response(null, { status: snapshot.status, headers });
  const response = new Response(snapshot.body, { status: snapshot.status, headers });
  return isHtml ? withBanner(response, snapshot.storedAt) : response;
}
