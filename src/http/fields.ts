import { readLimited } from "./read-limited";

/**
 * A small form or JSON body as named text fields, read within `maxBytes`.
 * JSON numbers become text (forms only have text); nested values are ignored.
 */
export type Fields = { ok: true; kind: "form" | "json"; fields: Record<string, string> };
export type FieldsProblem = { ok: false; status: 400 | 413 | 415; error: string; message: string };

export async function readFields(request: Request, maxBytes: number): Promise<Fields | FieldsProblem> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "application/json") {
    return {
      ok: false,
      status: 415,
      error: "unsupported_media_type",
      message: "Send application/x-www-form-urlencoded or application/json.",
    };
  }
  const read = await readLimited(request.body, maxBytes, { request: true });
  if (!read.ok)
    return {
      ok: false,
      status: 413,
      error: "payload_too_large",
      message: `The request body is limited to ${maxBytes} bytes.`,
    };
  const text = new TextDecoder().decode(read.bytes);
  if (type === "application/x-www-form-urlencoded") {
    const fields: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(text)) fields[name] ??= value;
    return { ok: true, kind: "form", fields };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, error: "invalid_json", message: "The body is not valid JSON." };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, status: 400, error: "invalid_json", message: "The body must be a JSON object." };
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(document)) {
    if (typeof value === "string" || typeof value === "number") fields[name] = String(value);
  }
  return { ok: true, kind: "json", fields };
}
