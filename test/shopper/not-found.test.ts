import { describe, expect, it } from "vitest";
import { dispatch, shopEnv } from "../support/worker";

const env = shopEnv({ ORIGIN_URL: "http://127.0.0.1:9" });

describe("stayopen addresses that do not exist", () => {
  it("show a person's browser a branded 404 page", async () => {
    const response = await dispatch("https://shop.test/__stayopen/nonexistent", env, {
      headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-stayopen-source")).toBe("edge");
    const html = await response.text();
    expect(html).toContain("<h1>We can&#39;t find that page</h1>");
    expect(html).toContain('href="/"');
  });

  it("answer programs with JSON", async () => {
    for (const accept of ["*/*", "application/json"]) {
      const response = await dispatch("https://shop.test/__stayopen/orders/00aa/x", env, { headers: { accept } });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: "not_found" });
      expect(response.headers.get("x-stayopen-source")).toBe("edge");
    }
  });
});
