import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

let origin: FakeOrigin;
let env: Env;
const fresh = () => `/swr/${crypto.randomUUID().slice(0, 8)}`;
const html = (text: string) =>
  `<!doctype html><html><head><title>${text}</title></head><body><p>${text}</p></body></html>`;

async function page(path: string, cacheControl: string, body = html("v1")): Promise<void> {
  await origin.route(path, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": cacheControl },
    body,
  });
}

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", BREAKER_FAILURES: "1000" });
});
afterEach(() => origin.stop());

describe("stale-while-revalidate while the origin is healthy", () => {
  it("passes every request through live when the origin does not opt in", async () => {
    const path = fresh();
    await page(path, "public, max-age=60");
    await (await dispatch(`https://shop.test${path}`, env)).text();
    const second = await dispatch(`https://shop.test${path}`, env);

    expect(second.headers.get("x-stayopen-source")).toBe("origin");
    expect(second.headers.get("x-stayopen-cache")).toBeNull();
    expect(await origin.requests(path)).toHaveLength(2);
  });

  it("answers from the edge without asking the origin while the copy is fresh", async () => {
    const path = fresh();
    const cacheControl = "public, max-age=60, stale-while-revalidate=30";
    await page(path, cacheControl);
    await (await dispatch(`https://shop.test${path}`, env)).text();
    const second = await dispatch(`https://shop.test${path}`, env);

    expect(second.status).toBe(200);
    expect(second.headers.get("x-stayopen-source")).toBe("origin");
    expect(second.headers.get("x-stayopen-cache")).toBe("fresh");
    expect(second.headers.get("cache-control")).toBe(cacheControl);
    expect(second.headers.get("age")).toMatch(/^\d+$/);
    const body = await second.text();
    expect(body).toContain("v1");
    expect(body).not.toContain("data-stayopen-banner");
    expect(await origin.requests(path)).toHaveLength(1);
  });

  it("serves the old copy within the window and refreshes it in the background", async () => {
    const path = fresh();
    await page(path, "public, max-age=0, stale-while-revalidate=60", html("v1"));
    await (await dispatch(`https://shop.test${path}`, env)).text();
    await page(path, "public, max-age=0, stale-while-revalidate=60", html("v2"));

    const revalidating = await dispatch(`https://shop.test${path}`, env);
    expect(revalidating.headers.get("x-stayopen-source")).toBe("origin");
    expect(revalidating.headers.get("x-stayopen-cache")).toBe("revalidating");
    expect(await revalidating.text()).toContain("v1");
    expect(await origin.requests(path)).toHaveLength(2);

    const refreshed = await dispatch(`https://shop.test${path}`, env);
    expect(await refreshed.text()).toContain("v2");
    expect(await origin.requests(path)).toHaveLength(2);
  });

  it("applies SWR_DEFAULT_S to pages whose Cache-Control names no window", async () => {
    const path = fresh();
    const swrEnv = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", SWR_DEFAULT_S: "30" });
    await page(path, "public, max-age=60");
    await (await dispatch(`https://shop.test${path}`, swrEnv)).text();
    const second = await dispatch(`https://shop.test${path}`, swrEnv);

    expect(second.headers.get("x-stayopen-cache")).toBe("fresh");
    expect(await origin.requests(path)).toHaveLength(1);
  });

  it("never answers from the edge when the origin says no-cache or must-revalidate", async () => {
    for (const cacheControl of [
      "no-cache, stale-while-revalidate=60",
      "max-age=60, must-revalidate, stale-while-revalidate=60",
    ]) {
      const path = fresh();
      await page(path, cacheControl);
      await (await dispatch(`https://shop.test${path}`, env)).text();
      const second = await dispatch(`https://shop.test${path}`, env);
      expect(second.headers.get("x-stayopen-cache")).toBeNull();
      expect(await origin.requests(path)).toHaveLength(2);
    }
  });

  it("sends personalized requests to the origin even when a fresh copy exists", async () => {
    const path = fresh();
    await page(path, "public, max-age=60, stale-while-revalidate=60");
    await (await dispatch(`https://shop.test${path}`, env)).text();

    const withSession = await dispatch(`https://shop.test${path}`, env, { headers: { cookie: "shop_session=ada" } });
    const withAuthorization = await dispatch(`https://shop.test${path}`, env, {
      headers: { authorization: "Bearer ada" },
    });

    expect(withSession.headers.get("x-stayopen-cache")).toBeNull();
    expect(withAuthorization.headers.get("x-stayopen-cache")).toBeNull();
    expect(await origin.requests(path)).toHaveLength(3);
  });

  it("shows the outage banner instead once the breaker is open", async () => {
    const path = fresh();
    const touchy = shopEnv({
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: "300",
      BREAKER_FAILURES: "1",
      BREAKER_COOLDOWN_MS: "60000",
    });
    await page(path, "public, max-age=60, stale-while-revalidate=60");
    await (await dispatch(`https://shop.test${path}`, touchy)).text();
    await origin.setMode({ mode: "refuse" });
    await (await dispatch(`https://shop.test${fresh()}`, touchy)).text();

    const during = await dispatch(`https://shop.test${path}`, touchy);
    expect(during.headers.get("x-stayopen-source")).toBe("stale");
    expect(await during.text()).toContain("data-stayopen-banner");
  });
});

describe("stale-if-error during an outage", () => {
  /** Stores a page with this Cache-Control, takes the origin down, and asks for the page again. */
  async function duringOutage(cacheControl: string, target = env): Promise<Response> {
    const path = fresh();
    await page(path, cacheControl);
    await (await dispatch(`https://shop.test${path}`, target)).text();
    await origin.setMode({ mode: "refuse" });
    return dispatch(`https://shop.test${path}`, target);
  }

  const strict = () =>
    shopEnv({
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: "300",
      BREAKER_FAILURES: "1000",
      STALE_IF_ERROR_DEFAULT_S: "0",
    });

  it("answers the maintenance page once the origin's stale-if-error window has passed", async () => {
    const response = await duringOutage("public, max-age=0, stale-if-error=0");
    expect(response.status).toBe(503);
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
  });

  it("prefers the origin's stale-if-error over the configured default", async () => {
    const response = await duringOutage("public, max-age=0, stale-if-error=3600", strict());
    expect(response.headers.get("x-stayopen-source")).toBe("stale");
  });

  it("applies STALE_IF_ERROR_DEFAULT_S when the origin names no window", async () => {
    expect((await duringOutage("public, max-age=0", strict())).status).toBe(503);
  });

  it("links the maintenance page only to pages whose snapshot may still stand in", async () => {
    const [expired, servable, missing] = [fresh(), fresh(), fresh()];
    const target = shopEnv({
      ORIGIN_URL: origin.url,
      ORIGIN_TIMEOUT_MS: "300",
      BREAKER_FAILURES: "1000",
      CRITICAL_PATHS: `${expired},${servable}`,
    });
    await page(expired, "public, max-age=0, stale-if-error=0", html("Expired page"));
    await page(servable, "public, max-age=0, stale-if-error=3600", html("Servable page"));
    for (const path of [expired, servable]) await (await dispatch(`https://shop.test${path}`, target)).text();
    await origin.setMode({ mode: "refuse" });

    const response = await dispatch(`https://shop.test${missing}`, target);
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(body).toContain(`<a href="${servable}">Servable page</a>`);
    expect(body).not.toContain(expired);
    expect((await dispatch(`https://shop.test${expired}`, target)).status).toBe(503);
  });
});
