/** Whether a client wants JSON rather than a page: it asks for JSON, or calls an /api/ path. */
export function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  if (/application\/(?:[\w.+-]+\+)?json/i.test(accept) && !/text\/html/i.test(accept)) return true;
  return new URL(request.url).pathname.startsWith("/api/");
}
