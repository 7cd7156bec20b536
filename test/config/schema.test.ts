import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig, VARIABLE_SCHEMAS, type ConfigVariable } from "../../src/config/schema";
import { renderConfigurationDoc } from "../../src/config/doc";
import { originProblem } from "../../src/config/shop";
import readme from "../../docs/configuration.md?raw";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

const base = { ORIGIN_URL: "https://origin.example.com/" };

/** Every problem parseConfig reports for these vars, one message a line. */
function problem(vars: Record<string, unknown>): string {
  const { problems } = parseConfig(vars);
  expect(problems.length, "expected a configuration problem").toBeGreaterThan(0);
  return problems.map((found) => found.message).join("\n");
}

describe("docs/configuration.md, generated from the schema", () => {
  it("is the page the schema renders now", () => {
    expect(readme, "docs/configuration.md is stale: run npm run config:doc").toBe(renderConfigurationDoc());
  });

  it("lists every variable of the schema once, secrets marked", () => {
    const listed = [...readme.matchAll(/^\| `([A-Z0-9_]+)`/gm)].map(([, name]) => name);
    expect([...listed].sort()).toEqual(Object.keys(VARIABLE_SCHEMAS).sort());
    expect(readme).toMatch(/^\| `ADMIN_TOKEN` \(secret\) +\| — +\| bearer token/m);
    expect(readme).toMatch(/^\| `ORIGIN_URL` +\| \(required\) +\|/m);
  });

  it("shows a transformed default as the text a user would write", () => {
    expect(readme).toMatch(/^\| `PROBE_EXPECT_STATUS` +\| `200-399` +\|/m);
    expect(readme).toMatch(/^\| `BACKUP_ORIGINS` +\| `\[\]` +\|/m);
    expect(readme).toMatch(/^\| `ORDER_REPLIES` +\| `\{\}` +\|/m);
    expect(readme).toMatch(/^\| `STATIC_BACKUP` +\| `off` +\|/m);
    expect(readme).toMatch(/^\| `ORDER_PATHS` +\| `POST \/api\/orders` +\|/m);
  });

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

  it("reads REPLAY_SECRET as the Standard Webhooks libraries do: optional whsec_, then the base64 key", () => {
    const key = "dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=";
    expect(parseConfig({ ...base, REPLAY_SECRET: `whsec_${key}` }).replaySecret).toBe(`whsec_${key}`);
    expect(parseConfig({ ...base, REPLAY_SECRET: key }).replaySecret).toBe(key);
    // Not base64 (the libraries would throw), unpadded, or a key shorter than 16 bytes.
    for (const secret of [
      "plain-replay-secret-0123456789",
      "whsec_dGVzdC1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk",
      "whsec_c2hvcnQ=",
    ]) {
      const message = problem({ ...base, REPLAY_SECRET: secret });
      expect(message, secret).toContain("REPLAY_SECRET must ");
      expect(message).not.toContain(secret);
    }
  });
});

describe("a bad value is reported and taken as unset, never stopping the parse", () => {
  it("reports every bad variable, each by name, and keeps the good ones", () => {
    const config = parseConfig({
      ...base,
      ADMIN_TOKEN: "secret",
      CATALOG_FEED_URL: "feed.json",
      RATE_LIMIT_NOTIFY_PER_MIN: "lots",
      ORIGIN_TIMEOUT_MS: "2500",
    });
    expect(config.problems.map((found) => found.variable)).toEqual([
      "CATALOG_FEED_URL",
      "ADMIN_TOKEN",
      "RATE_LIMIT_NOTIFY_PER_MIN",
    ]);
    expect(config.problems[1]!.message).toBe("ADMIN_TOKEN must be at least 16 characters");
    // Each is as if unset: its feature off, or the knob at its documented default.
    expect(config.adminToken).toBeUndefined();
    expect(config.catalogFeedUrl).toBeUndefined();
    expect(config.rateLimits.notify).toBe(10);
    expect(config.originTimeoutMs).toBe(2500);
    expect(config.originUrl).toBe("https://origin.example.com");
    expect(originProblem(config)).toBeUndefined();
  });

  it("marks a missing or unusable ORIGIN_URL as the shop that cannot run", () => {
    for (const ORIGIN_URL of [undefined, "", "127.0.0.1:8788", "https://origin.test/?v=1"]) {
      const config = parseConfig({ ORIGIN_URL, SHOP_NAME: "Kept" });
      expect(originProblem(config)?.message, String(ORIGIN_URL)).toMatch(/^ORIGIN_URL (is required|must be)/);
      expect(config.originUrl).toBe("");
      expect(config.shopName).toBe("Kept");
    }
  });

  it("takes the variable a rule between variables names as unset", () => {
    const itself = parseConfig({ ...base, BACKUP_ORIGINS: JSON.stringify([{ url: base.ORIGIN_URL }]) });
    expect(itself.backupOrigins).toEqual([]);
    expect(itself.problems).toEqual([
      { variable: "BACKUP_ORIGINS", message: "BACKUP_ORIGINS [0].url is wrong: is ORIGIN_URL itself" },
    ]);
    const retry = parseConfig({ ...base, ORDER_RETRY_BASE_MS: "5000", ORDER_RETRY_MAX_MS: "2000" });
    expect(retry.problems.map((found) => found.message)).toEqual([
      "ORDER_RETRY_MAX_MS must be at least ORDER_RETRY_BASE_MS",
    ]);
    expect(retry.orderQueue.retryMaxMs).toBe(60_000);
    // A rule is checked against the values in use: a bad ORIGIN_URL does not also fault a good backup.
    const noOrigin = parseConfig({ ORIGIN_URL: "nope", BACKUP_ORIGINS: '[{"url":"https://dr.example.com"}]' });
    expect(noOrigin.problems.map((found) => found.variable)).toEqual(["ORIGIN_URL"]);
    expect(noOrigin.backupOrigins).toEqual([{ url: "https://dr.example.com", orders: false }]);
  });
});

describe("a bad setting never takes the shop down (through the worker)", () => {
  let origin: FakeOrigin;
  let page = 0;
  const fresh = () => `/config-${++page}-${crypto.randomUUID().slice(0, 8)}`;
  const admin = { authorization: "Bearer test-admin-token-0123456789" };
  const browser = { accept: "text/html,application/xhtml+xml" };
  const shop = (vars: Partial<Record<ConfigVariable, string>>) =>
    shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "500", BREAKER_FAILURES: "100", ...vars });

  beforeEach(async () => {
    origin = await FakeOrigin.start();
  });
  afterEach(() => origin.stop());

  it("a short ADMIN_TOKEN closes only the admin API, with an error naming it", async () => {
    const env = shop({ ADMIN_TOKEN: "secret" });
    const path = fresh();
    await origin.route(path, { headers: { "content-type": "text/html" }, body: "<h1>Home</h1>" });

    const home = await dispatch(`https://shop.test${path}`, env, { headers: browser });
    expect(home.status).toBe(200);
    expect(home.headers.get("x-stayopen-source")).toBe("origin");
    expect(await home.text()).toBe("<h1>Home</h1>");

    for (const authorization of ["Bearer secret", "Bearer anything-at-all-long-enough"]) {
      const status = await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: { authorization } });
      expect(status.status).toBe(503);
      const body = (await status.json()) as { error: string; message: string };
      expect(body.error).toBe("config_invalid");
      expect(body.message).toContain("ADMIN_TOKEN must be at least 16 characters");
      expect(body.message).not.toContain('secret"');
    }
  });

  it("a bad CATALOG_FEED_URL turns the edge checkout off; the admin status names it; the shop serves on", async () => {
    const env = shop({ CATALOG_FEED_URL: "products.json" });
    const path = fresh();
    await origin.route(path, { headers: { "content-type": "text/html" }, body: "<h1>Shop</h1>" });

    expect((await dispatch(`https://shop.test${path}`, env, { headers: browser })).status).toBe(200);
    const checkout = await dispatch("https://shop.test/__stayopen/checkout?sku=ANY", env, { headers: browser });
    expect(checkout.status).toBe(404);
    expect(await checkout.text()).toContain("Ordering here isn");

    const status = await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: admin });
    expect(status.status).toBe(200);
    const { configProblems } = (await status.json()) as { configProblems: { variable: string; message: string }[] };
    expect(configProblems).toEqual([
      { variable: "CATALOG_FEED_URL", message: "CATALOG_FEED_URL must be an http(s) URL or a path starting with /" },
    ]);
  });

  it("an unusable ORIGIN_URL: browsers get the branded 503, API clients the JSON 503, the operator the reason", async () => {
    const env = shopEnv({ ORIGIN_URL: "shop.example.com", SHOP_NAME: "Fail-safe Test Shop", RETRY_AFTER_S: "90" });

    const page = await dispatch("https://shop.test/", env, { headers: browser });
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("90");
    expect(page.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain("Fail-safe Test Shop");

    const api = await dispatch("https://shop.test/api/products", env, { headers: { accept: "application/json" } });
    expect(api.status).toBe(503);
    expect(await api.json()).toEqual({ error: "origin_unavailable", retryAfter: 90 });

    const order = await dispatch("https://shop.test/api/orders", env, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: "{}",
    });
    expect(order.status).toBe(503);

    const status = await dispatch("https://shop.test/__stayopen/admin/status", env, { headers: admin });
    expect(status.status).toBe(200);
    const { configProblems } = (await status.json()) as { configProblems: { variable: string; message: string }[] };
    expect(configProblems).toEqual([{ variable: "ORIGIN_URL", message: "ORIGIN_URL must be an http(s) URL" }]);

    const readiness = await dispatch("https://shop.test/__stayopen/admin/readiness", env, { headers: admin });
    expect(readiness.status).toBe(200);
    const report = (await readiness.json()) as { checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((check) => check.name === "configuration")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("ORIGIN_URL must be an http(s) URL"),
    });
  });
});
