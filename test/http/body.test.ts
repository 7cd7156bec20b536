import { describe, expect, it } from "vitest";
import {
  bodyError,
  bodyKind,
  discardBody,
  parseBody,
  readBody,
  readBytes,
  readFields,
  readJson,
  readLimited,
} from "../../src/http/body";

const bytes = (text: string) => new TextEncoder().encode(text);
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const post = (headers: Record<string, string>, body: BodyInit) =>
  new Request("https://shop.test/form", { method: "POST", headers, body });
const typed = (type: string, body: BodyInit) => post({ "content-type": type }, body);

describe("which bodies are read", () => {
  it("takes JSON and form-encoded content types, nothing else", () => {
    expect(bodyKind("application/json; charset=utf-8")).toBe("json");
    expect(bodyKind("application/vnd.shop+json")).toBe("json");
    expect(bodyKind("Application/X-WWW-Form-Urlencoded")).toBe("form");
    expect(bodyKind("multipart/form-data; boundary=x")).toBeNull();
    expect(bodyKind("text/plain")).toBeNull();
    expect(bodyKind(null)).toBeNull();
  });

  it("refuses another media type before reading it, reading it to its end so the client hears the 415", async () => {
    const { body, seen } = upload(3);
    expect(await readBody(typed("text/plain", body), { maxBytes: 100 })).toEqual({
      ok: false,
      problem: "unsupported_media_type",
    });
    expect(seen).toEqual({ pulled: 3, cancelled: false });
  });

  it("refuses a compressed body before reading it", async () => {
    const request = post(
      { "content-type": "application/json", "content-encoding": "gzip" },
      new Uint8Array([0x1f, 0x8b, 0x08, 0x00]),
    );
    expect(await readBody(request, { maxBytes: 1024 })).toEqual({ ok: false, problem: "unsupported_encoding" });
    expect(
      await readBody(post({ "content-type": "application/json", "content-encoding": "identity" }, "{}"), {
        maxBytes: 1024,
      }),
    ).toMatchObject({ ok: true });
  });

  it("counts the size on the stream, whatever Content-Length says", async () => {
    const { body } = upload(3);
    expect(await readBody(typed("application/json", body), { maxBytes: 2048 })).toEqual({
      ok: false,
      problem: "too_large",
    });
  });
});

describe("what a body holds", () => {
  it("keeps the text exactly as sent, with the parsed JSON", () => {
    const read = parseBody("application/json", bytes('{ "sku" : "A" }'), {});
    expect(read).toMatchObject({ ok: true, body: { kind: "json", text: '{ "sku" : "A" }', json: { sku: "A" } } });
  });

  it("accepts JSON after a byte order mark and keeps the mark", () => {
    const read = parseBody("application/json", bytes('\ufeff{"sku":"A"}'), {});
    expect(read).toMatchObject({ ok: true, body: { kind: "json", text: '\ufeff{"sku":"A"}' } });
  });

  it("names what is wrong with a body", () => {
    expect(parseBody("application/json", bytes("{nope"), {})).toEqual({ ok: false, problem: "invalid_json" });
    expect(parseBody("application/json", bytes("  "), { required: true })).toEqual({ ok: false, problem: "empty" });
    expect(parseBody("application/x-www-form-urlencoded", new Uint8Array([0x61, 0x3d, 0xff]), {})).toEqual({
      ok: false,
      problem: "not_utf8",
    });
    expect(parseBody("text/plain", bytes("hi"), {})).toEqual({ ok: false, problem: "unsupported_media_type" });
  });

  it("takes an empty form where a body is not required", () => {
    expect(parseBody("application/x-www-form-urlencoded", bytes(""), {})).toMatchObject({ ok: true });
  });

  it("refuses JSON nested deeper than maxDepth, however deep, and takes it up to the limit", () => {
    expect(parseBody("application/json", bytes(nested(64)), { maxDepth: 64 })).toMatchObject({ ok: true });
    expect(parseBody("application/json", bytes(`{"a":${nested(3)}}`), { maxDepth: 3 })).toEqual({
      ok: false,
      problem: "too_deep",
    });
    expect(parseBody("application/json", bytes(nested(65)), { maxDepth: 64 })).toEqual({
      ok: false,
      problem: "too_deep",
    });
    expect(parseBody("application/json", bytes(nested(20_000)), { maxDepth: 64 })).toEqual({
      ok: false,
      problem: "too_deep",
    });
    // Brackets inside strings are text, not nesting.
    expect(parseBody("application/json", bytes(`{"note":"${"[{".repeat(100)}"}`), { maxDepth: 2 })).toMatchObject({
      ok: true,
    });
  });
});

describe("the catalogue's error for each problem", () => {
  it.each([
    ["unsupported_media_type", 415, "unsupported_media_type"],
    ["unsupported_encoding", 415, "unsupported_content_encoding"],
    ["too_large", 413, "payload_too_large"],
    ["not_utf8", 400, "invalid_encoding"],
    ["empty", 400, "empty_body"],
    ["invalid_json", 400, "invalid_json"],
    ["too_deep", 400, "body_too_deep"],
  ] as const)("%s is %i %s", (reason, status, code) => {
    expect(bodyError(reason, { maxBytes: 1024, maxDepth: 64 })).toMatchObject({ status, code });
  });

  it("tells the client the limit it went over", () => {
    expect(bodyError("too_large", { maxBytes: 1024 }, "order body").message).toBe(
      "The order body is limited to 1024 bytes.",
    );
    expect(bodyError("too_deep", { maxBytes: 1024, maxDepth: 64 }).message).toContain("at most 64 levels");
  });
});

describe("reading a small form or JSON body as text fields", () => {
  it("reads a form, keeping the first of repeated fields", async () => {
    expect(await readFields(typed("application/x-www-form-urlencoded", "a=1&b=two+words&a=2"), 100)).toEqual({
      ok: true,
      kind: "form",
      fields: { a: "1", b: "two words" },
    });
  });

  it("reads a JSON object, numbers as text, nested values left out", async () => {
    const body = JSON.stringify({ email: "a@example.com", qty: 2, nested: { x: 1 }, list: [1] });
    expect(await readFields(typed("application/json; charset=utf-8", body), 200)).toEqual({
      ok: true,
      kind: "json",
      fields: { email: "a@example.com", qty: "2" },
    });
  });

  it.each([
    ["text/plain", "a=1", 415, "unsupported_media_type"],
    ["application/json", "{", 400, "invalid_json"],
    ["application/json", "[1,2]", 400, "invalid_json"],
    ["application/x-www-form-urlencoded", `a=${"x".repeat(200)}`, 413, "payload_too_large"],
  ])("refuses %s %j with %i %s", async (type, body, status, error) => {
    const read = await readFields(typed(type, body), 100);
    expect(read.ok ? null : { status: read.problem.status, error: read.problem.code }).toEqual({ status, error });
  });
});

describe("a JSON API body", () => {
  it("is read as JSON whatever Content-Type says, as curl -d sends it", async () => {
    expect(await readJson(typed("application/x-www-form-urlencoded", '{"on":false}'), 100)).toEqual({ on: false });
  });

  it("throws the catalogue's error for what it cannot read", async () => {
    await expect(readJson(typed("application/json", "{on"), 100)).rejects.toMatchObject({ code: "invalid_json" });
    await expect(readJson(typed("application/json", "x".repeat(101)), 100)).rejects.toMatchObject({
      status: 413,
      code: "payload_too_large",
    });
  });
});

describe("a signed body's bytes", () => {
  it("are kept untouched, whatever they are, within the limit", async () => {
    const raw = new Uint8Array([0xff, 0x00, 0x7b]);
    expect(await readBytes(post({}, raw), 3)).toEqual({ ok: true, bytes: raw });
    expect(await readBytes(post({}, raw), 2)).toEqual({ ok: false, problem: "too_large" });
  });
});

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
