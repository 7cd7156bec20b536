// Small helpers over node:http so route handlers read as the shop's logic.

export class BodyTooLargeError extends Error {}

/** Reads the whole body, counting real bytes so a lying or absent Content-Length cannot bypass the limit. */
export async function readBody(req, limit) {
  if (Number(req.headers["content-length"]) > limit) throw new BodyTooLargeError();
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req) {
  return (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

export function acceptsHtml(req) {
  return (req.headers.accept ?? "").includes("text/html");
}

/** Form fields as an object; a repeated field becomes an array (the checkout posts one sku/qty pair per cart line). */
export function parseForm(text) {
  const fields = new Map();
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = fields.get(key);
    fields.set(key, previous === undefined ? value : [previous, value].flat());
  }
  return Object.fromEntries(fields);
}

export function parseCookies(header = "") {
  const cookies = new Map();
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/** First value of a possibly comma-joined forwarding header. */
export function firstHeaderValue(req, name) {
  const value = req.headers[name];
  return typeof value === "string" ? value.split(",")[0].trim() : undefined;
}

export function send(res, status, body, headers = {}) {
  // 204 and 304 must not carry a Content-Length.
  const length = status === 204 || status === 304 ? {} : { "content-length": Buffer.byteLength(body) };
  res.writeHead(status, { ...length, ...headers });
  res.end(body);
}

export function sendHtml(res, status, html, headers = {}) {
  send(res, status, String(html), { "content-type": "text/html; charset=utf-8", ...headers });
}

export function sendJson(res, status, value, headers = {}) {
  send(res, status, JSON.stringify(value), {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
}

export function sendText(res, status, text, headers = {}) {
  send(res, status, text, { "content-type": "text/plain; charset=utf-8", ...headers });
}
