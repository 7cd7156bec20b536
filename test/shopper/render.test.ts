import { describe, expect, it } from "vitest";
import { dispatch, shopEnv } from "../support/worker";

const env = shopEnv({ ORIGIN_URL: "http://127.0.0.1:9" });

describe("pages stayopen renders", () => {
  it("run no script, load only their own stylesheet and cannot be framed", async () => {
    for (const path of ["/__stayopen/status", "/__stayopen/nonexistent", "/__stayopen/admin/login"]) {
      const response = await dispatch(`https://shop.test${path}`, env, { headers: { accept: "text/html" } });
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(await response.text(), path).not.toContain("<script");
    }
  });
});
