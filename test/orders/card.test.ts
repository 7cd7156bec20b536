import { describe, expect, it } from "vitest";
import { bodyContainsCardNumber, containsCardNumber, passesLuhn } from "../../src/orders/card";

describe("Luhn check", () => {
  it("accepts valid numbers and rejects a changed digit", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("378282246310005")).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
  });
});

describe("card number detection", () => {
  it.each([
    ["a Visa test number", "4111111111111111"],
    ["a Mastercard in groups of four", "card 5555 5555 5555 4444 exp 12/29"],
    ["an Amex with dashes", "3782-822463-10005"],
    ["a Visa with dots", '{"note":"4111.1111.1111.1111"}'],
    ["a Visa with slashes", "4111/1111/1111/1111"],
    ["a 19-digit number", "6011000990139424009"],
    ["a number followed by more digit groups", "4242 4242 4242 4242 12 29 123"],
    ["a number preceded by other digit groups", "ref 12 4242 4242 4242 4242"],
    ["a number inside a JSON value", '{"pan":"2223003122003222"}'],
    ["a 16-digit number after a +", "+4111111111111111"],
    ["grouped after a +", "+4111 1111 1111 1111"],
    ["grouped with tabs", "4111\t1111\t1111\t1111"],
    ["grouped with double spaces", "4111  1111  1111  1111"],
    ["grouped with underscores", '{"n":"4111_1111_1111_1111"}'],
    ["grouped with no-break spaces", "4111\u00a01111\u00a01111\u00a01111"],
    ["grouped across lines", "4111\n1111\n1111\n1111"],
    ["grouped with mixed separators", "4111 \t 1111 _ 1111-1111"],
    // The contract counts every 13–19 digit run passing Luhn, whatever it starts with and whatever precedes it.
    ["a number starting with 1", "1234567000000004"],
    ["a number starting with 7", "7234567000000001"],
    ["a number starting with 9", "9234567000000007"],
    ["a zero-padded id passing Luhn", "0004111111111119"],
    ["a millisecond timestamp passing Luhn", '{"at":1718000000006}'],
    ["a 15-digit number after a +", "+378282246310005"],
    [
      "fullwidth digits",
      "\uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11",
    ],
  ])("finds %s", (_label, text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    ["a number failing Luhn", "4111111111111112"],
    ["12 digits", "411111111113"],
    ["20 digits in one run", "41111111111111111115"],
    ["a millisecond timestamp failing Luhn", '{"at":1718000000000}'],
    ["digits separated by commas (a JSON array)", '{"qty":[4,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}'],
    ["ordinary order fields", "sku=coffee-1&qty=2&name=Ada&zip=10115"],
  ])("ignores %s", (_label, text) => {
    expect(containsCardNumber(text)).toBe(false);
  });

  it("finds a card number in a form value written with + for spaces", () => {
    expect(containsCardNumber("card=4111+1111+1111+1111")).toBe(false);
    expect(bodyContainsCardNumber("card=4111+1111+1111+1111", "form")).toBe(true);
    expect(bodyContainsCardNumber("card=4111%201111%201111%201111", "form")).toBe(true);
  });

  it("finds a card number hidden behind JSON escapes", () => {
    expect(bodyContainsCardNumber('{"pan":"\\u0034111111111111111"}', "json")).toBe(true);
  });

  it("passes a body without card data", () => {
    expect(bodyContainsCardNumber('{"items":[{"sku":"A","qty":2}],"email":"ada@example.com"}', "json")).toBe(false);
    expect(bodyContainsCardNumber("sku=A&qty=2&email=ada%40example.com", "form")).toBe(false);
  });
});
