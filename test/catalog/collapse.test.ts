import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Env } from "../../src/config/env";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

let origin: FakeOrigin;
let env: Env;
const fresh = () => `/collapse/${crypto.randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Collapsing is part of caching at the edge, which SWR_DEFAULT_S (or the origin's stale-while-revalidate) turns on.
const caching = { ORIGIN_TIMEOUT_MS: "2000", BREAKER_FAILURES: "1000", SWR_DEFAULT_S: "30" };

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv({ ORIGIN_URL: origin.url, ...caching });
});
afterEach(() => origin.stop());

/** The first request reaches the origin before the others are sent, so it is the one they wait for. */
async function leaderThenOthers(path: string, leader: RequestInit, others: RequestInit[]): Promise<Response[]> {
  const first = dispatch(`https://shop.test${path}`, env, leader);
  await sleep(50);
  return Promise.all([first, ...others.map((init) => dispatch(`https://shop.test${path}`, env, init))]);
}

describe("request collapsing", () => {
  it("sends one origin request for many concurrent misses of one page, and each shopper gets the whole page", async () => {
    const path = fresh();
    await origin.setMode({ mode: "slow", delayMs: 300 });
    const responses = await Promise.all(Array.from({ length: 6 }, () => dispatch(`https://shop.test${path}`, env)));

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers.get("x-stayopen-source")).toBe("origin");
      expect(await response.text()).toContain(`Page ${path}`);
    }
    expect(await origin.requests(path)).toHaveLength(1);
  });

  it("never collapses personalized requests", async () => {
    const path = fresh();
    await origin.setMode({ mode: "slow", delayMs: 300 });
    const responses = await Promise.all([
      dispatch(`https://shop.test${path}`, env, { headers: { cookie: "shop_session=ada" } }),
      dispatch(`https://shop.test${path}`, env, { headers: { cookie: "shop_session=bob" } }),
      dispatch(`https://shop.test${path}`, env, { headers: { authorization: "Bearer carol" } }),
    ]);
    await Promise.all(responses.map((response) => response.text()));

    const seen = await origin.requests(path);
    expect(seen).toHaveLength(3);
    expect(seen.map((request) => request.headers.cookie ?? request.headers.authorization).sort()).toEqual([
      "Bearer carol",
      "shop_session=ada",
      "shop_session=bob",
    ]);
  });

  it("does not hand on an answer that sets a cookie: the waiters fetch their own", async () => {
    const path = fresh();
    await origin.route(path, {
      headers: { "content-type": "text/html", "set-cookie": "cart=new" },
      body: "<p>welcome</p>",
    });
    await origin.setMode({ mode: "slow", delayMs: 300 });
    const responses = await leaderThenOthers(path, {}, [{}, {}]);

    for (const response of responses) expect(response.headers.get("set-cookie")).toBe("cart=new");
    expect(await origin.requests(path)).toHaveLength(3);
  });

  it("hands on an answer that varies on a header only to waiters that sent the same value", async () => {
    const path = fresh();
    await origin.route(path, {
      headers: { "content-type": "text/html", vary: "Accept-Language, Accept-Encoding" },
      body: "<p>hello</p>",
    });
    await origin.setMode({ mode: "slow", delayMs: 300 });
    const english = { headers: { "accept-language": "en" } };
    const german = { headers: { "accept-language": "de" } };
    const responses = await leaderThenOthers(path, english, [english, english, german]);

    await Promise.all(responses.map((response) => response.text()));
    const seen = await origin.requests(path);
    expect(seen.map((request) => request.headers["accept-language"]).sort()).toEqual(["de", "en"]);
  });

  it("keeps conditional requests apart", async () => {
    const path = fresh();
    await origin.setMode({ mode: "slow", delayMs: 300 });
    await leaderThenOthers(path, {}, [{ headers: { "if-none-match": '"v1"' } }]);
    expect(await origin.requests(path)).toHaveLength(2);
  });

  it("lets concurrent requests to a hanging origin share one timeout instead of sending one each", async () => {
    const path = fresh();
    const hanging = shopEnv({ ORIGIN_URL: origin.url, ...caching, ORIGIN_TIMEOUT_MS: "300" });
    await origin.setMode({ mode: "hang" });
    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        dispatch(`https://shop.test${path}`, hanging, { headers: { accept: "text/html" } }),
      ),
    );

    for (const response of responses) expect(response.status).toBe(503);
    expect(await origin.requests(path)).toHaveLength(1);
  });

  it("leaves a shop that does not cache at the edge a plain pass-through: each request goes to the origin", async () => {
    const path = fresh();
    const passing = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "2000", BREAKER_FAILURES: "1000" });
    await origin.setMode({ mode: "slow", delayMs: 300 });
    const responses = await Promise.all(Array.from({ length: 4 }, () => dispatch(`https://shop.test${path}`, passing)));

    for (const response of responses) expect(await response.text()).toContain(`Page ${path}`);
    expect(await origin.requests(path)).toHaveLength(4);
  });
});
