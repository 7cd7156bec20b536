import { problem } from "./errors";

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
