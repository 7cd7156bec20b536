import { describe, expect, it } from "vitest";
import { openSecrets, sealSecrets } from "../../src/config/secret-box";

const token = "platform-token-for-the-secret-box-0123";
const secrets = { ADMIN_TOKEN: "admin-token-0123456789", REPLAY_SECRET: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=" };

describe("the secret box (AES-GCM under an HKDF key from PLATFORM_TOKEN)", () => {
  it("opens what it sealed, for the same shop and token", async () => {
    const sealed = await sealSecrets(token, "shop-a", secrets);
    expect(await openSecrets(token, "shop-a", sealed)).toEqual(secrets);
  });

  it("never shows a secret in the sealed text, and seals the same secrets differently each time", async () => {
    const first = await sealSecrets(token, "shop-a", secrets);
    const second = await sealSecrets(token, "shop-a", secrets);
    expect(first).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(first).not.toBe(second);
    for (const value of Object.values(secrets)) expect(first).not.toContain(value);
    expect(atob(first.slice(3).replace(/-/g, "+").replace(/_/g, "/"))).not.toContain("admin-token");
  });

  it("does not open under another token, for another shop, or once changed", async () => {
    const sealed = await sealSecrets(token, "shop-a", secrets);
    expect(await openSecrets(`${token}-rotated`, "shop-a", sealed)).toBeNull();
    // Copied onto another shop's record, the blob stays shut: the shop id is authenticated with it.
    expect(await openSecrets(token, "shop-b", sealed)).toBeNull();
    const body = sealed.slice(3);
    const flipped = `v1.${body.slice(0, 20)}${body[20] === "A" ? "B" : "A"}${body.slice(21)}`;
    expect(await openSecrets(token, "shop-a", flipped)).toBeNull();
    expect(await openSecrets(token, "shop-a", "v2.AAAA")).toBeNull();
    expect(await openSecrets(token, "shop-a", "not sealed")).toBeNull();
  });

  it("seals no secrets as well as some", async () => {
    expect(await openSecrets(token, "shop-a", await sealSecrets(token, "shop-a", {}))).toEqual({});
  });
});
