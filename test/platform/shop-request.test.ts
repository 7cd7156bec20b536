import { describe, expect, it } from "vitest";
import { normalizeHost, parseShopRequest, shopIdProblem } from "../../src/platform/shop-request";

const ADMIN = "shop-a-admin-token-0123456789";
const REPLAY = "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=";
const good = {
  hosts: ["Shop-A.example", "www.shop-a.example:443"],
  config: { ORIGIN_URL: "https://origin.shop-a.example", SHOP_NAME: "Shop A", ORDER_MAX_ATTEMPTS: 5 },
  secrets: { ADMIN_TOKEN: ADMIN, REPLAY_SECRET: REPLAY },
};

/** The fields the request's problems name, in order. */
function fields(body: unknown): string[] {
  const result = parseShopRequest(body);
  expect(result.ok, "expected a problem").toBe(false);
  return result.ok ? [] : result.problems.map((problem) => problem.field);
}

function firstMessage(body: unknown): string {
  const result = parseShopRequest(body);
  return result.ok ? "" : result.problems[0]!.message;
}

describe("a shop's PUT body, checked by the one schema", () => {
  it("takes a good shop: hosts lower-case without port, every value as a var's text", () => {
    expect(parseShopRequest(good)).toEqual({
      ok: true,
      value: {
        hosts: ["shop-a.example", "www.shop-a.example"],
        config: { ORIGIN_URL: "https://origin.shop-a.example", SHOP_NAME: "Shop A", ORDER_MAX_ATTEMPTS: "5" },
        secrets: { ADMIN_TOKEN: ADMIN, REPLAY_SECRET: REPLAY },
      },
    });
  });

  it("keeps a JSON value (BACKUP_ORIGINS) as its JSON text, as wrangler.toml's would be read", () => {
    const backups = [{ url: "https://shop-b.example", orders: true }];
    const result = parseShopRequest({ ...good, config: { ...good.config, BACKUP_ORIGINS: backups } });
    expect(result.ok && result.value.config.BACKUP_ORIGINS).toBe(JSON.stringify(backups));
  });

  it("refuses a name the schema does not know", () => {
    expect(fields({ ...good, config: { ...good.config, ORIGN_URL: "https://x.example" } })).toEqual([
      "config.ORIGN_URL",
    ]);
    expect(fields({ ...good, secrets: { ADMIN_TOKEN: ADMIN, API_KEY: "x" } })).toEqual(["secrets.API_KEY"]);
    expect(fields({ ...good, colour: "red" })).toEqual(["colour"]);
  });

  it("refuses a secret inside config, and never repeats its value", () => {
    const body = { ...good, config: { ...good.config, ADMIN_TOKEN: "a-secret-that-must-not-leak" } };
    expect(fields(body)).toEqual(["config.ADMIN_TOKEN"]);
    expect(JSON.stringify(parseShopRequest(body))).not.toContain("a-secret-that-must-not-leak");
  });

  it("refuses a non-secret inside secrets, and the deployment's own PLATFORM_TOKEN anywhere", () => {
    expect(fields({ ...good, secrets: { ...good.secrets, SHOP_NAME: "Shop A" } })).toEqual(["secrets.SHOP_NAME"]);
    expect(fields({ ...good, secrets: { ...good.secrets, PLATFORM_TOKEN: "platform-token-0123456789" } })).toEqual([
      "secrets.PLATFORM_TOKEN",
    ]);
    expect(fields({ ...good, config: { ...good.config, PLATFORM_TOKEN: "platform-token-0123456789" } })).toEqual([
      "config.PLATFORM_TOKEN",
    ]);
  });

  it("refuses a bad value naming the field, with the schema's reason", () => {
    expect(fields({ ...good, config: { ...good.config, ORIGIN_URL: "ftp://origin" } })).toEqual(["config.ORIGIN_URL"]);
    expect(firstMessage({ ...good, config: { ...good.config, ORIGIN_URL: "ftp://origin" } })).toBe(
      "config.ORIGIN_URL must be an http(s) URL",
    );
    expect(fields({ ...good, config: { ...good.config, ORDER_MAX_ATTEMPTS: "0" } })).toEqual([
      "config.ORDER_MAX_ATTEMPTS",
    ]);
    expect(fields({ ...good, config: { ...good.config, BRAND_COLOR: "red" } })).toEqual(["config.BRAND_COLOR"]);
    const short = { ...good, secrets: { ADMIN_TOKEN: "too-short" } };
    expect(fields(short)).toEqual(["secrets.ADMIN_TOKEN"]);
    expect(firstMessage(short)).toBe("secrets.ADMIN_TOKEN must be at least 16 characters");
    expect(JSON.stringify(parseShopRequest(short))).not.toContain("too-short");
    expect(fields({ ...good, secrets: { REPLAY_SECRET: "whsec_short" } })).toEqual(["secrets.REPLAY_SECRET"]);
  });

  it("requires ORIGIN_URL and applies the rules between variables", () => {
    expect(fields({ hosts: ["a.example"], config: {} })).toEqual(["config.ORIGIN_URL"]);
    expect(firstMessage({ hosts: ["a.example"] })).toBe("config.ORIGIN_URL is required");
    const sameAsOrigin = {
      ...good,
      config: { ...good.config, BACKUP_ORIGINS: [{ url: "https://origin.shop-a.example" }] },
    };
    expect(fields(sameAsOrigin)).toEqual(["config.BACKUP_ORIGINS"]);
  });

  it("refuses values that are not text, and sections that are not objects", () => {
    expect(fields({ ...good, config: { ...good.config, SHOP_NAME: null } })).toEqual(["config.SHOP_NAME"]);
    expect(fields({ ...good, secrets: { ADMIN_TOKEN: 12345678901234567 } })).toEqual(["secrets.ADMIN_TOKEN"]);
    expect(fields({ ...good, config: "ORIGIN_URL=https://x" })).toEqual(["config", "config.ORIGIN_URL"]);
    expect(fields({ ...good, secrets: [] })).toEqual(["secrets"]);
    expect(fields([good])).toEqual(["body"]);
  });

  it("lists every problem, not only the first", () => {
    const body = { hosts: ["ok.example", "bad host"], config: { ORIGIN_URL: "nope", FOO: "1" } };
    expect(fields(body)).toEqual(["hosts[1]", "config.FOO", "config.ORIGIN_URL"]);
  });
});

describe("hosts", () => {
  it("are lower-case, without port or trailing dot", () => {
    expect(normalizeHost("Shop-A.Example.:8443")).toBe("shop-a.example");
    expect(normalizeHost(" alpha.localhost:8787 ")).toBe("alpha.localhost");
  });

  it("are host names only", () => {
    for (const bad of [
      "",
      "https://shop.example",
      "*.shop.example",
      "shop..example",
      "-shop.example",
      "shop_a.example",
      "[::1]",
      `${"a".repeat(64)}.example`,
      "shop.example/path",
    ])
      expect(normalizeHost(bad), bad).toBeNull();
  });

  it("must be a non-empty array, each listed once", () => {
    expect(fields({ ...good, hosts: [] })).toEqual(["hosts"]);
    expect(fields({ ...good, hosts: "shop-a.example" })).toEqual(["hosts"]);
    expect(fields({ ...good, hosts: ["shop-a.example", 7] })).toEqual(["hosts[1]"]);
    expect(fields({ ...good, hosts: ["shop-a.example", "SHOP-A.example:8443"] })).toEqual(["hosts[1]"]);
    expect(firstMessage({ ...good, hosts: ["shop-a.example", "shop-a.example"] })).toBe("hosts[1] is listed twice");
  });
});

describe("shop ids", () => {
  it("are lower-case letters, digits and dashes, at most 63, not starting with a dash", () => {
    for (const id of ["a", "shop-a", "0shop", "a".repeat(63)]) expect(shopIdProblem(id), id).toBeNull();
    for (const id of ["", "-a", "Shop", "shop_a", "a".repeat(64), "shop.a", "../x"])
      expect(shopIdProblem(id)?.field, id).toBe("id");
  });

  it("never take single-shop mode's id", () => {
    expect(shopIdProblem("default")?.message).toMatch(/reserved/);
  });
});
