import { describe, expect, it } from "vitest";
import { readFields } from "../../src/http/fields";

const post = (type: string, body: string) =>
  new Request("https://shop.test/form", { method: "POST", headers: { "content-type": type }, body });

describe("reading a small form or JSON body as text fields", () => {
  it("reads a form, keeping the first of repeated fields", async () => {
    expect(await readFields(post("application/x-www-form-urlencoded", "a=1&b=two+words&a=2"), 100)).toEqual({
      ok: true,
      kind: "form",
      fields: { a: "1", b: "two words" },
    });
  });

  it("reads a JSON object, numbers as text, nested values left out", async () => {
    const body = JSON.stringify({ email: "a@example.com", qty: 2, nested: { x: 1 }, list: [1] });
    expect(await readFields(post("application/json; charset=utf-8", body), 200)).toEqual({
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
    const read = await readFields(post(type, body), 100);
    expect(read.ok ? null : { status: read.problem.status, error: read.problem.code }).toEqual({ status, error });
  });
});
