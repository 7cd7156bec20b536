import { problem, type StayopenError } from "./errors";
import { walkJson } from "./json-walk";

/**
 * The one body reader. Every request body stayopen reads (orders, checkout,
 * notify-me, the admin API and dashboard, the bypass link, Stripe events) and
 * every origin body it keeps goes through this module, under one set of rules:
 *
 * - size counted on the real stream, never on Content-Length (`readLimited`);
 * - JSON (`application/json`, `application/*+json`) or form-encoded only,
 *   checked before a byte is read;
 * - uncompressed: the edge checks and keeps the text itself;
 * - UTF-8 (a JSON byte order mark is allowed and kept);
 * - JSON well-formed, and nested at most `maxDepth` deep where a route sets it.
 *
 * What is wrong comes back as a typed problem; `bodyError` names it with the
 * error catalogue's codes (413 payload_too_large, 415 unsupported_media_type …).
 */

export type BodyKind = "json" | "form";

export function bodyKind(contentType: string | null): BodyKind | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type)) return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  return null;
}

export type BodyRules = {
  maxBytes: number;
  /** JSON nested deeper than this (objects and arrays) is refused; unset, any depth parses. */
  maxDepth?: number;
  /** An empty body is refused (an order with nothing in it); elsewhere an empty form is just no fields. */
  required?: boolean;
  /** Read as JSON whatever Content-Type says: the admin API, which `curl -d` reaches labelled as a form. */
  as?: "json";
};

export type BodyProblem =
  "unsupported_media_type" | "unsupported_encoding" | "too_large" | "not_utf8" | "empty" | "invalid_json" | "too_deep";

/** A body as sent: its bytes and text exactly (to store and replay), and the parsed JSON for a JSON body. */
export type Body = { kind: BodyKind; contentType: string; bytes: Uint8Array; text: string; json?: unknown };

export type BodyRead = { ok: true; body: Body } | { ok: false; problem: BodyProblem };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Checks what can be checked from the text alone; the size was checked while reading. */
export function parseBody(contentType: string | null, bytes: Uint8Array, rules: Omit<BodyRules, "maxBytes">): BodyRead {
  const kind = rules.as ?? bodyKind(contentType);
  if (!kind) return { ok: false, problem: "unsupported_media_type" };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problem: "not_utf8" };
  }
  if (rules.required && text.trim() === "") return { ok: false, problem: "empty" };
  const body: Body = { kind, contentType: contentType ?? "application/json", bytes, text };
  if (kind === "json") {
    try {
      // A leading byte order mark is allowed (RFC 8259); it stays in the bytes that are stored and replayed.
      body.json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      return { ok: false, problem: "invalid_json" };
    }
    if (rules.maxDepth !== undefined && walkJson(text, () => false, rules.maxDepth) === "too_deep") {
      return { ok: false, problem: "too_deep" };
    }
  }
  return { ok: true, body };
}

/** Reads and checks a request's body; the media type and encoding are checked before a byte is read. */
export async function readBody(request: Request, rules: BodyRules): Promise<BodyRead> {
  const contentType = request.headers.get("content-type");
  const refused =
    !rules.as && !bodyKind(contentType)
      ? "unsupported_media_type"
      : (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase() !== "identity"
        ? "unsupported_encoding"
        : null;
  if (refused) {
    await discardBody(request.body);
    return { ok: false, problem: refused };
  }
  const read = await readLimited(request.body, rules.maxBytes, { request: true });
  if (!read.ok) return { ok: false, problem: "too_large" };
  return parseBody(contentType, read.bytes, rules);
}

/** The catalogue's codes for a body stayopen cannot take (400, 413 or 415). */
export type BodyErrorCode =
  | "unsupported_media_type"
  | "unsupported_content_encoding"
  | "payload_too_large"
  | "invalid_encoding"
  | "empty_body"
  | "invalid_json"
  | "body_too_deep";

/**
 * The catalogue's error for a body problem. `noun` says what the client sent
 * ("order body"), so the message tells it what to change.
 */
export function bodyError(
  reason: BodyProblem,
  rules: Pick<BodyRules, "maxBytes" | "maxDepth">,
  noun = "request body",
): StayopenError<BodyErrorCode> {
  switch (reason) {
    case "unsupported_media_type":
      return problem(
        "unsupported_media_type",
        `Send the ${noun} as application/json or application/x-www-form-urlencoded.`,
      );
    case "unsupported_encoding":
      return problem(
        "unsupported_content_encoding",
        `Send the ${noun} uncompressed: Content-Encoding is not accepted.`,
      );
    case "too_large":
      return problem("payload_too_large", `The ${noun} is limited to ${rules.maxBytes} bytes.`);
    case "not_utf8":
      return problem("invalid_encoding", `The ${noun} must be UTF-8 text.`);
    case "empty":
      return problem("empty_body", `The ${noun} is empty.`);
    case "invalid_json":
      return problem("invalid_json", `The ${noun} is not valid JSON.`);
    case "too_deep":
      return problem(
        "body_too_deep",
        `The ${noun} is nested too deeply: at most ${rules.maxDepth} levels of objects and arrays.`,
      );
  }
}

/**
 * A small form or JSON object as named text fields: the first of repeated
 * form fields; JSON strings and numbers as text (forms only have text), other
 * values left out.
 */
export type Fields = { ok: true; kind: BodyKind; fields: Record<string, string> };
export type FieldsProblem = { ok: false; problem: StayopenError<BodyErrorCode> };

export async function readFields(request: Request, maxBytes: number): Promise<Fields | FieldsProblem> {
  const read = await readBody(request, { maxBytes });
  if (!read.ok) return { ok: false, problem: bodyError(read.problem, { maxBytes }) };
  const fields: Record<string, string> = {};
  if (read.body.kind === "form") {
    for (const [name, value] of new URLSearchParams(read.body.text)) fields[name] ??= value;
    return { ok: true, kind: "form", fields };
  }
  const document = read.body.json;
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, problem: problem("invalid_json", "The body must be a JSON object.") };
  }
  for (const [name, value] of Object.entries(document)) {
    if (typeof value === "string" || typeof value === "number") fields[name] = String(value);
  }
  return { ok: true, kind: "json", fields };
}

/** A JSON body whatever its Content-Type says (the admin API); a problem is thrown as the catalogue's error. */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const read = await readBody(request, { maxBytes, as: "json" });
  if (!read.ok) throw bodyError(read.problem, { maxBytes });
  return read.body.json;
}

/**
 * A body's bytes untouched, within `maxBytes`, for a signed body whose
 * signature must be checked before anything is parsed (Stripe events).
 */
export async function readBytes(
  request: Request,
  maxBytes: number,
): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; problem: "too_large" }> {
  const read = await readLimited(request.body, maxBytes, { request: true });
  return read.ok ? read : { ok: false, problem: "too_large" };
}

/**
 * Reads a body to the end but never past `maxBytes`, counting what actually
 * arrives on the stream: a missing or lying Content-Length (chunked uploads)
 * cannot smuggle in more. Past the limit an origin's body is cancelled; a
 * client's request body is read on and dropped (see `discardBody`) so the
 * client hears the refusal instead of a broken connection. A client that
 * stops sending halfway gets a 400 `body_incomplete`, not an internal error:
 * nothing was stored and nothing is wrong at the edge.
 */
export type LimitedRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" };

/**
 * How much of a refused request body is read and dropped before answering.
 * A client (or a proxy in front, like wrangler dev's) still sending when the
 * answer comes can take the cancelled upload for a failed request. The cap is
 * Cloudflare's smallest plan limit for a request body, so only an endless
 * chunked upload is cut off.
 */
export const DRAIN_LIMIT_BYTES = 100 * 1024 * 1024;

export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  options: { request?: boolean } = {},
): Promise<LimitedRead> {
  if (!body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await (options.request ? readRequest(reader) : reader.read());
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await (options.request ? drain(reader, DRAIN_LIMIT_BYTES - total) : reader.cancel("body too large"));
      return { ok: false, reason: "too_large" };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

async function readRequest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  try {
    return await reader.read();
  } catch {
    throw problem("body_incomplete");
  }
}

/** Reads a refused request body to its end (up to DRAIN_LIMIT_BYTES) without keeping it. */
export async function discardBody(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (body) await drain(body.getReader(), DRAIN_LIMIT_BYTES);
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number): Promise<void> {
  try {
    for (let left = budget; ;) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
      if (left < 0) {
        await reader.cancel("body too large");
        return;
      }
    }
  } catch {
    // The client gave up sending: nothing left to listen to.
  }
}
