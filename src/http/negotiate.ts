/** Whether a client wants JSON rather than a page: it asks for JSON, or calls an /api/ path. */
export function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  if (/application\/(?:[\w.+-]+\+)?json/i.test(accept) && !/text\/html/i.test(accept)) return true;
  return new URL(request.url).pathname.startsWith("/api/");
}

/** Whether a client is a person's browser (it asks for HTML), where a program that accepts anything gets JSON. */
export function wantsPage(request: Request): boolean {
  return !wantsJson(request) && /text\/html/i.test(request.headers.get("accept") ?? "");
}
