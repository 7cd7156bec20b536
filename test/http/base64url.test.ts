import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/http/base64url";

describe("base64url", () => {
  it("round-trips every length without padding or +/", () => {
    for (let length = 0; length <= 33; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + 251) & 0xff);
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
  });

  it("refuses a text whose unused last bits are set, so a changed signature cannot pass as the original", () => {
    // 32 bytes (an HMAC-SHA256) encode to 43 characters; the last one carries 2 unused bits.
    const text = toBase64Url(new Uint8Array(32));
    expect(text.at(-1)).toBe("A");
    for (const last of ["B", "C", "D"]) expect(fromBase64Url(text.slice(0, -1) + last)).toBeNull();
    expect(fromBase64Url(text.slice(0, -1) + "E")).not.toBeNull();
  });

  it("refuses characters outside the alphabet and impossible lengths", () => {
    for (const text of ["a+b", "a/b", "ab==", "a b", "abcde"]) expect(fromBase64Url(text), text).toBeNull();
  });
});
