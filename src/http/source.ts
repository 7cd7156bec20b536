/** Where a response came from, on every response: the contract's X-Stayopen-Source values. */
export type Source = "origin" | "backup" | "stale" | "maintenance" | "queued" | "edge";

/** Re-wraps an upstream response (whose headers are immutable) to add the source header; the body streams through. */
export function withSource(response: Response, source: Source, body: ReadableStream | null = response.body): Response {
  if (response.webSocket) return response;
  const out = new Response(body, response);
  out.headers.set("x-stayopen-source", source);
  return out;
}
