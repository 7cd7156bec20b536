import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeOrigin } from "../support/origin";
import { dispatch, shopEnv } from "../support/worker";

let origin: FakeOrigin;
let env: ReturnType<typeof shopEnv>;

beforeEach(async () => {
  origin = await FakeOrigin.start();
  env = shopEnv({ ORIGIN_URL: origin.url, ORIGIN_TIMEOUT_MS: "300", BREAKER_FAILURES: "100" });
});
afterEach(() => origin.stop());

describe("catalog", () => {
  it("serves the snapshot with a banner when the origin refuses", async () => {
    const live = await dispatch("https://shop.test/c/coffee", env);
    expect(live.status).toBe(200);
    expect(live.headers.get("x-stayopen-source")).toBe("origin");
    expect(await live.text()).toContain("fresh from the origin");

    await origin.setMode({ mode: "refuse" });
    const stale = await dispatch("https://shop.test/c/coffee", env);
    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-stayopen-source")).toBe("stale");
    const html = await stale.text();
    expect(html).toContain("data-stayopen-banner");
    expect(html).toContain("fresh from the origin");
  });

  it("answers the branded 503 for a page without snapshot", async () => {
    await origin.setMode({ mode: "status", status: 502 });
    const response = await dispatch("https://shop.test/never-seen", env);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("120");
    expect(response.headers.get("x-stayopen-source")).toBe("maintenance");
    expect(await response.text()).toContain("be right back");
  });
});
