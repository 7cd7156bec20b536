import { describe, expect, it } from "vitest";
import { discardBody, readLimited } from "../../src/http/read-limited";

/** A body of `chunks` 1 KiB chunks that records how far it was read and whether it was cancelled. */
function upload(chunks: number) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === chunks) return controller.close();
      seen.pulled += 1;
      controller.enqueue(new Uint8Array(1024));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

describe("readLimited", () => {
  it("reads a body within the limit whole", async () => {
    const { body } = upload(3);
    const read = await readLimited(body, 4096);
    expect(read.ok && read.bytes.byteLength).toBe(3072);
  });

  it("cancels an origin's body past the limit", async () => {
    const { body, seen } = upload(10);
    expect(await readLimited(body, 2048)).toEqual({ ok: false, reason: "too_large" });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(10);
  });

  it("reads a client's oversized request body to its end, so the client hears the 413", async () => {
    const { body, seen } = upload(10);
    expect(await readLimited(body, 2048, { request: true })).toEqual({ ok: false, reason: "too_large" });
    expect(seen).toEqual({ pulled: 10, cancelled: false });
  });
});

describe("discardBody", () => {
  it("reads a refused request body to its end without keeping it", async () => {
    const { body, seen } = upload(5);
    await discardBody(body);
    expect(seen).toEqual({ pulled: 5, cancelled: false });
  });
});

describe("readLimited, a client that stops sending halfway", () => {
  const broken = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(512));
        controller.error(new Error("Network connection lost."));
      },
    });

  it("answers 400 body_incomplete for a request body, not an internal error", async () => {
    await expect(readLimited(broken(), 4096, { request: true })).rejects.toMatchObject({
      status: 400,
      code: "body_incomplete",
    });
  });

  it("leaves an origin body's read error to the caller, which classifies origin trouble itself", async () => {
    await expect(readLimited(broken(), 4096)).rejects.toThrow("Network connection lost.");
  });
});
