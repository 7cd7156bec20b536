import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/checkout/money";

describe("prices for shoppers", () => {
  it("uses the currency's own decimals", () => {
    expect(formatMoney(1450, "EUR")).toBe("€14.50");
    expect(formatMoney(1450, "JPY")).toBe("JP¥1,450");
    expect(formatMoney(1450, "KWD").replace(/\s/g, " ")).toBe("KWD 1.450");
  });

  it("still shows an amount for a currency code the runtime does not know", () => {
    expect(formatMoney(1450, "not-a-currency")).toBe("14.50 not-a-currency");
  });
});
