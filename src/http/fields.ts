import { problem, type StayopenError } from "./errors";
import { readLimited } from "./read-limited";

/**
 * A small form or JSON body as named text fields, read within `maxBytes`.
 * JSON numbers become text (forms only have text); nested values are ignored.
 */
export type Fields = { ok: true; kind: "form" | "json"; fields: Record<string, string> };
export type FieldsProblem = {
  ok: false;
  problem: StayopenError<"unsupported_media_type" | "payload_too_large" | "invalid_json">;
};

export async function readFields(request: Request, maxBytes: number): Promise<Fields | FieldsProblem> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "application/json") {
    return { ok: false, problem: problem("unsupported_media_type") };
  }
  const read = await readLimited(request.body, maxBytes, { request: true });
  if (!read.ok)
    return { ok: false, problem: problem("payload_too_large", `The request body is limited to ${maxBytes} bytes.`) };
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
    return { ok: false, problem: problem("invalid_json") };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, problem: problem("invalid_json", "The body must be a JSON object.") };
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(document)) {
    if (typeof value === "string" || typeof value === "number") fields[name] = String(value);
  }
  return { ok: true, kind: "json", fields };
}
