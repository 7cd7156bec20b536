import { describe, expect, it } from "vitest";
import { signPass, verifyPass, type Pass } from "../../src/control/bypass";

const TOKEN = "admin-token-for-signing-0123";
const NOW = 1_800_000_000_000;
const pass: Pass = { kind: "cookie", shop: "default", exp: NOW + 60_000, nonce: "n1" };

describe("bypass passes", () => {
  it("verifies what it signed until it expires", async () => {
    const signed = await signPass(pass, TOKEN);
    expect(await verifyPass(signed, "cookie", "default", TOKEN, NOW)).toEqual(pass);
    expect(await verifyPass(signed, "cookie", "default", TOKEN, NOW + 60_000)).toBeNull();
  });

  it("refuses a pass of another kind, for another shop, or signed with another token", async () => {
    const signed = await signPass(pass, TOKEN);
    expect(await verifyPass(signed, "link", "default", TOKEN, NOW)).toBeNull();
    expect(await verifyPass(signed, "cookie", "other-shop", TOKEN, NOW)).toBeNull();
    expect(await verifyPass(signed, "cookie", "default", "rotated-admin-token-0123456", NOW)).toBeNull();
  });

  it("refuses a pass whose content was changed", async () => {
    const [, signature] = (await signPass(pass, TOKEN)).split(".");
    const forged = btoa(JSON.stringify({ ...pass, exp: NOW + 86_400_000 * 365 }))
      .replace(/=+$/, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    expect(await verifyPass(`${forged}.${signature}`, "cookie", "default", TOKEN, NOW)).toBeNull();
  });

  it("refuses garbage without throwing", async () => {
    for (const text of ["", ".", "a.b", "a.b.c", "!!!.???", "x".repeat(2000), "eyJ9.a"]) {
      expect(await verifyPass(text, "cookie", "default", TOKEN, NOW), text).toBeNull();
    }
  });
});
