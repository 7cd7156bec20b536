import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { csvField, toCsv } from "../../src/notify/csv";
import { subscriberList } from "../../src/notify/store";
import { dispatch, shopEnv } from "../support/worker";
import { varsShop } from "../../src/config/shop";

describe("subscriber CSV", () => {
  it("quotes every field and doubles quotes inside", () => {
    expect(csvField("plain@example.com")).toBe('"plain@example.com"');
    expect(csvField('say "hi", bye\r\nnext')).toBe('"say ""hi"", bye\r\nnext"');
    expect(toCsv(["a", "b"], [["1", "2"]])).toBe('"a","b"\r\n"1","2"\r\n');
  });

  it("defuses values a spreadsheet would run as a formula", () => {
    for (const dangerous of ["=1+2", "+1+1@example.com", "-2+3@example.com", "@SUM(A1)", "\tcmd", "\rcmd"]) {
      expect(csvField(dangerous)).toBe(`"'${dangerous}"`);
    }
  });

  it("exports the subscribers to the admin, and to no one else", async () => {
    const address = `+csv-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await subscriberList(env, varsShop(env)).subscribe(address);

    const anonymous = await dispatch("https://shop.test/__stayopen/admin/subscribers.csv", shopEnv());
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();

    const response = await dispatch("https://shop.test/__stayopen/admin/subscribers.csv", shopEnv(), {
      headers: { authorization: "Bearer test-admin-token-0123456789" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="subscribers.csv"');
    expect(response.headers.get("cache-control")).toBe("no-store");
    const lines = (await response.text()).split("\r\n");
    expect(lines[0]).toBe('"email","subscribed_at","announced_at"');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^"'\\${address}","\\d{4}-\\d\\d-\\d\\dT[^"]+",""$`)),
    );
  });
});
