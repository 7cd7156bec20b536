import type { Config } from "../config/schema";
import { problem, type StayopenError } from "../http/errors";
import { discardBody, readLimited } from "../http/read-limited";
import { walkJson } from "../http/json-walk";

/**
 * Order bodies the edge can hold and replay byte for byte: JSON or
 * form-encoded, UTF-8, within ORDER_MAX_BYTES counted on the real stream,
 * JSON nested at most ORDER_MAX_DEPTH deep.
 */

export type BodyKind = "json" | "form";

export function bodyKind(contentType: string | null): BodyKind | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || /^application\/[\w.+-]+\+json$/.test(type)) return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  return null;
}

export type OrderBodyProblem =
  "unsupported_media_type" | "unsupported_encoding" | "too_large" | "not_utf8" | "empty" | "invalid_json" | "too_deep";

export type OrderBody = { kind: BodyKind; contentType: string; bytes: Uint8Array; text: string };

export type OrderBodyRead = { ok: true; body: OrderBody } | { ok: false; problem: OrderBodyProblem };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Checks what can be checked from the text alone; the size was checked while reading. */
export function parseOrderBody(contentType: string | null, bytes: Uint8Array, maxDepth: number): OrderBodyRead {
  const kind = bodyKind(contentType);
  if (!kind) return { ok: false, problem: "unsupported_media_type" };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problem: "not_utf8" };
  }
  if (text.trim() === "") return { ok: false, problem: "empty" };
  if (kind === "json") {
    try {
      // A leading byte order mark is allowed (RFC 8259); it stays in the bytes that are stored and replayed.
      JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      return { ok: false, problem: "invalid_json" };
    }
    if (walkJson(text, () => false, maxDepth) === "too_deep") return { ok: false, problem: "too_deep" };
  }
  return { ok: true, body: { kind, contentType: contentType!, bytes, text } };
}

/** Reads and checks an order request's body; the media type is checked before a byte is read. */
export async function readOrderBody(request: Request, maxBytes: number, maxDepth: number): Promise<OrderBodyRead> {
  const contentType = request.headers.get("content-type");
  const problem = !bodyKind(contentType)
    ? "unsupported_media_type"
    : // The edge checks and keeps the text itself, so it must arrive uncompressed.
      (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase() !== "identity"
      ? "unsupported_encoding"
      : null;
  if (problem) {
    await discardBody(request.body);
    return { ok: false, problem };
  }
  const read = await readLimited(request.body, maxBytes, { request: true });
  if (!read.ok) return { ok: false, problem: "too_large" };
  return parseOrderBody(contentType, read.bytes, maxDepth);
}

export function orderBodyError(
  reason: OrderBodyProblem,
  limits: Pick<Config, "orderMaxBytes" | "orderMaxDepth">,
): StayopenError {
  switch (reason) {
    case "unsupported_media_type":
      return problem(
        "unsupported_media_type",
        "Send the order as application/json or application/x-www-form-urlencoded.",
      );
    case "unsupported_encoding":
      return problem(
        "unsupported_content_encoding",
        "Send the order uncompressed: Content-Encoding is not accepted on orders.",
      );
    case "too_large":
      return problem("payload_too_large", `Orders are limited to ${limits.orderMaxBytes} bytes.`);
    case "not_utf8":
      return problem("invalid_encoding", "The order body must be UTF-8 text.");
    case "empty":
      return problem("empty_body", "The order body is empty.");
    case "invalid_json":
      return problem("invalid_json", "The order body is not valid JSON.");
    case "too_deep":
      return problem(
        "body_too_deep",
        `The order body is nested too deeply: at most ${limits.orderMaxDepth} levels of objects and arrays.`,
      );
  }
}
