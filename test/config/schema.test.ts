import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/schema";
import { ConfigError } from "../../src/http/stayopen-error";
import readme from "../../README.md?raw";

const base = { ORIGIN_URL: "https://origin.example.com/" };

function problem(vars: Record<string, unknown>): string {
  try {
    parseConfig(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("expected a configuration error");
}

describe("the README's configuration table", () => {
  // Rows like: | `ORIGIN_TIMEOUT_MS` | `3000` | … (secrets and variables without a default show —).
  const rows = [...readme.matchAll(/^\| `([A-Z0-9_]+)`(?: \(secret\))?\s*\| `([^`]*)`/gm)].map(([, name, value]) => ({
    name: name!,
    value: value!,
  }));

  it("gives each variable's real default: setting it to the documented value changes nothing", () => {
    expect(rows.length).toBeGreaterThanOrEqual(35);
    const defaults = parseConfig(base);
    for (const { name, value } of rows) {
      if (name === "ORIGIN_URL") continue;
      expect(parseConfig({ ...base, [name]: value }), `${name} = ${value}`).toEqual(defaults);
    }
  });
});

describe("parseConfig", () => {
  it("applies the documented defaults", () => {
    const config = parseConfig(base);
    expect(config).toMatchObject({
      originUrl: "https://origin.example.com",
      originTimeoutMs: 3000,
      breakerFailures: 3,
      breakerCooldownMs: 10_000,
      healthPath: "/",
      orderPaths: [{ method: "POST", pattern: "/api/orders" }],
      orderMaxBytes: 65_536,
      retryAfterS: 120,
      backupOrigins: [],
      staticBackup: false,
      snapshotStatuses: [200],
    });
  });

  it("reads TOML numbers and arrays from wrangler.toml as the text they stand for", () => {
    const config = parseConfig({
      ...base,
      ORIGIN_TIMEOUT_MS: 2500,
      BREAKER_FAILURES: 5,
      BACKUP_ORIGINS: [{ url: "https://dr.example.com", orders: true }],
    });
    expect(config).toMatchObject({
      originTimeoutMs: 2500,
      breakerFailures: 5,
      backupOrigins: [{ url: "https://dr.example.com", orders: true }],
    });
    expect(problem({ ...base, ORIGIN_TIMEOUT_MS: 2.5 })).toContain("ORIGIN_TIMEOUT_MS");
  });

  it("switches the static backup with STATIC_BACKUP=on|off", () => {
    expect(parseConfig({ ...base, STATIC_BACKUP: "on" }).staticBackup).toBe(true);
    expect(parseConfig({ ...base, STATIC_BACKUP: "off" }).staticBackup).toBe(false);
    expect(parseConfig({ ...base, STATIC_BACKUP: "" }).staticBackup).toBe(false);
    expect(problem({ ...base, STATIC_BACKUP: "yes" })).toContain('STATIC_BACKUP must be "on" or "off"');
  });

  it("treats empty strings as not set", () => {
    expect(parseConfig({ ...base, ORIGIN_TIMEOUT_MS: "", SUPPORT_EMAIL: " " })).toMatchObject({
      originTimeoutMs: 3000,
      supportEmail: undefined,
    });
  });

  it("parses lists and JSON", () => {
    const config = parseConfig({
      ...base,
      ORDER_PATHS: "POST /api/orders, put /checkout/*",
      CRITICAL_PATHS: "/, /c/coffee",
      BACKUP_ORIGINS: '[{"url":"https://dr.example.com","orders":true},{"url":"https://ro.example.com"}]',
      SNAPSHOT_STATUSES: "200,404",
    });
    expect(config.orderPaths).toEqual([
      { method: "POST", pattern: "/api/orders" },
      { method: "PUT", pattern: "/checkout/*" },
    ]);
    expect(config.criticalPaths).toEqual(["/", "/c/coffee"]);
    expect(config.backupOrigins).toEqual([
      { url: "https://dr.example.com", orders: true },
      { url: "https://ro.example.com", orders: false },
    ]);
    expect(config.snapshotStatuses).toEqual([200, 404]);
  });

  it("names the variable that is wrong", () => {
    expect(problem({})).toContain("ORIGIN_URL is required");
    expect(problem({ ORIGIN_URL: "ftp://x" })).toContain("ORIGIN_URL must be an http(s) URL");
    expect(problem({ ...base, ORIGIN_TIMEOUT_MS: "3s" })).toContain("ORIGIN_TIMEOUT_MS");
    expect(problem({ ...base, BREAKER_FAILURES: "0" })).toContain("BREAKER_FAILURES must be at least 1");
    expect(problem({ ...base, ORDER_PATHS: "/api/orders" })).toContain("ORDER_PATHS");
    expect(problem({ ...base, BRAND_COLOR: "red" })).toContain("BRAND_COLOR");
    expect(problem({ ...base, SUPPORT_EMAIL: "nope" })).toContain("SUPPORT_EMAIL");
    expect(problem({ ...base, BACKUP_ORIGINS: "[{url:" })).toContain("BACKUP_ORIGINS must be a JSON array");
    expect(problem({ ...base, BACKUP_ORIGINS: '[{"url":"https://x","order":true}]' })).toContain("BACKUP_ORIGINS");
    // Inside the JSON, the entry and field that are wrong.
    const wrongType = problem({ ...base, BACKUP_ORIGINS: '[{"url":"https://x"},{"url":"https://y","orders":"yes"}]' });
    expect(wrongType).toContain("BACKUP_ORIGINS [1].orders is wrong");
    expect(wrongType).not.toContain("BACKUP_ORIGINS is required");
    expect(problem({ ...base, BACKUP_ORIGINS: '[{"orders":true}]' })).toContain("BACKUP_ORIGINS [0].url is required");
    // A value that is no URL at all is named as such, not answered with an internal error.
    expect(problem({ ORIGIN_URL: "127.0.0.1:18788" })).toContain("ORIGIN_URL must be an http(s) URL");
    expect(problem({ ...base, BACKUP_ORIGINS: '[{"url":"not a url"}]' })).toContain("BACKUP_ORIGINS [0].url is wrong");
    expect(problem({ ...base, BACKUP_ORIGINS: '[{"url":"http://127.0.0.1:18790:80"}]' })).toContain("BACKUP_ORIGINS");
    // An origin is a base URL; a backup is another origin, listed once.
    expect(problem({ ORIGIN_URL: "https://origin.test/?v=1" })).toContain("ORIGIN_URL must be an http(s) URL without");
    const withQuery = problem({ ...base, BACKUP_ORIGINS: '[{"url":"https://dr.test/sub?x=1"}]' });
    expect(withQuery).toContain("BACKUP_ORIGINS [0].url is wrong: must be an http(s) URL without a query");
    const itself = problem({ ...base, BACKUP_ORIGINS: JSON.stringify([{ url: `${base.ORIGIN_URL}/` }]) });
    expect(itself).toContain("BACKUP_ORIGINS [0].url is wrong: is ORIGIN_URL itself");
    const twice = problem({ ...base, BACKUP_ORIGINS: '[{"url":"https://DR.test"},{"url":"https://dr.test/"}]' });
    expect(twice).toContain("BACKUP_ORIGINS [1].url is wrong: is listed twice");
    expect(problem({ ...base, CRITICAL_PATHS: "home" })).toContain("CRITICAL_PATHS");
    expect(problem({ ...base, HEALTH_PATH: "healthz" })).toContain("HEALTH_PATH must be a path starting with /");
    expect(problem({ ...base, ADMIN_TOKEN: "short" })).toContain("ADMIN_TOKEN must be at least 16 characters");
  });

  it("never echoes a secret's value in the error", () => {
    expect(problem({ ...base, ADMIN_TOKEN: "s3cr3t" })).not.toContain("s3cr3t");
  });
});
