import { sha256Hex } from "./reference";

/**
 * Idempotency. A client's Idempotency-Key is exact: same key and same request
 * (method, path, body, and JSON or form) → the same order; same key with
 * another request → 422.
 * Without a key, every request is an order of its own, with one exception:
 * browsers send no key, so a form a browser posts is identified by who sent
 * it (session cookie, Authorization, address and browser, hashed, never
 * stored) and exactly what it sent: the same submission again within
 * DOUBLE_SUBMIT_WINDOW_MS is the same order (a double click, a reload that
 * re-posts). On the wire such an order carries the key the first submission
 * got (kept by the queue shard for the window, see `submissionWireKey`), so a
 * double click that reaches a healthy origin twice can be deduplicated there
 * too, while the same basket bought again later is a new order. API clients
 * retry with a key.
 */

export const DOUBLE_SUBMIT_WINDOW_MS = 60_000;

/** 1–255 visible ASCII characters: what fits in a header and in the origin's key column. */
export function isValidIdempotencyKey(key: string): boolean {
  return /^[\x21-\x7e]{1,255}$/.test(key);
}

type Submission = { method: string; path: string; contentType: string; body: string };

/** What "same request" means for a client key (newlines cannot occur in a method or a path). */
export function requestFingerprint(order: Pick<Submission, "method" | "path" | "body">): Promise<string> {
  return sha256Hex(`${order.method}\n${order.path}\n${order.body}`);
}

export function submissionHash(order: Submission, submitter: string): Promise<string> {
  return sha256Hex(JSON.stringify([order.method, order.path, order.contentType, submitter, order.body]));
}

/** The Idempotency-Key a keyless submission carries to the origin. */
export async function derivedIdempotencyKey(submission: string, now: number): Promise<string> {
  const minute = Math.floor(now / DOUBLE_SUBMIT_WINDOW_MS);
  return `stayopen-${(await sha256Hex(`${submission}:${minute}`)).slice(0, 32)}`;
}

/**
 * Who submitted a browser's form post, as far as the request tells: identical
 * bodies from two sessions are two orders. Null for anything else (JSON, or a
 * form from a client that does not ask for a page): it is never merged.
 */
export function formSubmitter(request: Request, kind: "json" | "form"): string | null {
  if (kind !== "form" || !/text\/html/i.test(request.headers.get("accept") ?? "")) return null;
  const headers = ["cookie", "authorization", "cf-connecting-ip", "user-agent"];
  return JSON.stringify(headers.map((name) => request.headers.get(name) ?? ""));
}
