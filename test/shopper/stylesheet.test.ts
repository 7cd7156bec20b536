import { describe, expect, it } from "vitest";
import { dispatch, shopEnv } from "../support/worker";

const env = shopEnv({ ORIGIN_URL: "http://127.0.0.1:9" });
const url = "https://shop.test/__stayopen/assets/stayopen.css";

describe("the stylesheet of stayopen's own pages", () => {
  it("is served from the worker itself at the versioned URL pages link, immutable, even while the origin is unreachable", async () => {
    const page = await (await dispatch("https://shop.test/__stayopen/status", env)).text();
    const linked = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
    expect(linked).toMatch(/^\/__stayopen\/assets\/stayopen\.css\?v=[0-9a-z]+$/);

    const response = await dispatch(`https://shop.test${linked}`, env);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    expect(await response.text()).toContain("box-sizing: border-box");
  });

  it("is cached only briefly at any other URL (a page from before a deploy gets the current stylesheet)", async () => {
    const response = await dispatch(`${url}?v=old`, env);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
  });

  it("answers a revalidation with its ETag by 304 and no body", async () => {
    const etag = (await dispatch(url, env)).headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]+"$/);

    const again = await dispatch(url, env, { headers: { "if-none-match": etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("x-stayopen-source")).toBe("edge");
    expect(await again.text()).toBe("");
  });
});
