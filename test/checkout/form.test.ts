import { describe, expect, it } from "vitest";
import { newFormToken, parseCheckout } from "../../src/checkout/form";

const methods = ["later", "stripe"] as const;
const filled = {
  sku: "COF-1",
  qty: "2",
  name: "Ada Lovelace",
  email: "ada@example.com",
  address: "12 Analytical Row",
  payment: "later",
};

describe("the edge checkout form", () => {
  it("takes a complete form, with the quantity as a number and the text trimmed", () => {
    const parsed = parseCheckout({ ...filled, name: "  Ada  ", token: newFormToken() }, methods);
    expect(parsed.ok && parsed.input).toMatchObject({ qty: 2, name: "Ada", payment: "later" });
  });

  it.each([
    ["qty", "0", "Enter a quantity from 1 to 99."],
    ["qty", "100", "Enter a quantity from 1 to 99."],
    ["qty", "1.5", "Enter a quantity from 1 to 99."],
    ["email", "ada@", "Enter a valid email address, like name@example.com."],
    ["name", " ", "Enter your name."],
    ["address", "x".repeat(1001), "The address can be at most 1000 characters."],
    ["payment", "bitcoin", "Choose how you want to pay."],
    ["token", "short", "This form has expired. Please check your details and submit again."],
  ])("says what is wrong with %s = %j, next to that field", (field, value, message) => {
    const parsed = parseCheckout({ ...filled, [field]: value }, methods);
    expect(parsed).toEqual({ ok: false, errors: { [field]: message } });
  });

  it("reports every missing field, each once", () => {
    const parsed = parseCheckout({}, methods);
    expect(parsed.ok).toBe(false);
    expect(Object.keys(parsed.ok ? {} : parsed.errors).sort()).toEqual(
      ["address", "email", "name", "payment", "qty", "sku"].sort(),
    );
  });

  it("gives every rendered form its own 128-bit token", () => {
    const tokens = new Set(Array.from({ length: 50 }, newFormToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
