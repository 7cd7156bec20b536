/**
 * Reads a body to the end but never past `maxBytes`, counting what actually
 * arrives on the stream: a missing or lying Content-Length (chunked uploads)
 * cannot smuggle in more. Past the limit the stream is cancelled.
 */
export type LimitedRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" };

export async function readLimited(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<LimitedRead> {
  if (!body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel("body too large");
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
