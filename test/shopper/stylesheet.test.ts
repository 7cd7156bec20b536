import { describe, expect, it } from "vitest";
import { dispatch, shopEnv } from "../support/worker";

const env = shopEnv({ ORIGIN_URL: "http://127.0.0.1:9" });
const url = "https://shop.test/__stayopen/assets/stayopen.css";

describe("the stylesheet of stayopen's own pages", () => {
  it("is served from the worker itself, cacheable, even while the origin is unreachable", async () => {
    const response = await dispatch(url, env);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("public, max-age=86400");
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    expect(await response.text()).toContain("box-sizing: border-box");
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
