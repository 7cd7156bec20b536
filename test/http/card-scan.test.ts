import { describe, expect, it } from "vitest";
import { bodyContainsCardNumber, containsCardNumber, passesLuhn, scanOrderBody } from "../../src/http/card-scan";

/** The same digits in another script: `zero` is the code point of that script's 0. */
const inScript = (digits: string, zero: number) =>
  [...digits].map((digit) => (/\d/.test(digit) ? String.fromCodePoint(zero + Number(digit)) : digit)).join("");

/** `value` as the only item of `depth` nested arrays. */
const deepArrays = (depth: number, value: string) => "[".repeat(depth) + value + "]".repeat(depth);
/** `value` as the innermost member of `depth` nested objects. */
const deepObjects = (depth: number, value: string) => '{"a":'.repeat(depth) + value + "}".repeat(depth);

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
    ["a 13-digit Visa", "4222222222222"],
    ["a Mastercard in groups of four", "card 5555 5555 5555 4444 exp 12/29"],
    ["a Mastercard in the 2-series", '{"pan":"2223003122003222"}'],
    ["an Amex with dashes", "3782-822463-10005"],
    ["a Visa with dots", '{"note":"4111.1111.1111.1111"}'],
    ["a Visa with slashes", "4111/1111/1111/1111"],
    ["a 19-digit number", "6011000990139424009"],
    ["a number followed by more digit groups", "4242 4242 4242 4242 12 29 123"],
    ["a number preceded by other digit groups", "ref 12 4242 4242 4242 4242"],
    ["a number after an odd count of digits in its run", "7 4111 1111 1111 1111 8"],
    ["a 15-digit number after an odd count of digits", "9 1 3 3782 822463 10005 2"],
    [
      "a number in the middle of a long run of short groups",
      `${"1 ".repeat(5000)}4111 1111 1111 1111${" 8".repeat(5000)}`,
    ],
    ["16 digits after a +, more than a phone number has", "+4111111111111111"],
    ["a card grouped after a phone number's +", "+49 4111 1111 1111 1111"],
    ["grouped with tabs", "4111\t1111\t1111\t1111"],
    ["grouped with double spaces", "4111  1111  1111  1111"],
    ["grouped with underscores", '{"n":"4111_1111_1111_1111"}'],
    ["grouped with no-break spaces", "4111\u00a01111\u00a01111\u00a01111"],
    ["grouped across lines", "4111\n1111\n1111\n1111"],
    ["grouped with mixed separators", "4111 \t 1111 _ 1111-1111"],
    ["grouped with repeated separators", "4111 -- 1111 // 1111 .. 1111"],
    ["grouped with en dashes", "4111\u20131111\u20131111\u20131111"],
    ["fullwidth digits and dashes", "\uff14\uff11\uff11\uff11\uff0d\uff11\uff11\uff11\uff11\uff0d1111\uff0d1111"],
    ["Arabic-Indic digits", inScript("4111 1111 1111 1111", 0x0660)],
    ["Persian digits", inScript("5555555555554444", 0x06f0)],
    ["Devanagari digits", inScript("4111-1111-1111-1111", 0x0966)],
    ["Bengali digits", inScript("378282246310005", 0x09e6)],
    ["Thai digits", inScript("4111111111111111", 0x0e50)],
    ["mathematical bold digits (outside the BMP)", inScript("4111111111111111", 0x1d7ce)],
    ["mathematical monospace digits (the last run of a block of fifty)", inScript("4111111111111111", 0x1d7f6)],
    ["digits of several scripts mixed", inScript("4111", 0x0660) + inScript("1111", 0x0966) + "11111111"],
  ])("finds %s", (_label, text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    ["a number failing Luhn", "4111111111111112"],
    ["12 digits", "411111111113"],
    ["20 digits in one run", "41111111111111111115"],
    ["a millisecond timestamp (starting with 1) passing Luhn", '{"at":1718000000006}'],
    ["a number starting with 7 passing Luhn", "7234567000000001"],
    ["a number starting with 9 passing Luhn", "9234567000000007"],
    ["a zero-padded id passing Luhn", "0004111111111119"],
    ["a 15-digit number after a + (a phone number)", "+378282246310005"],
    ["a phone number grouped after a +", "+49 1512 3456 7890"],
    ["a millisecond timestamp failing Luhn", '{"at":1718000000000}'],
    ["digits separated by commas (a JSON array)", '{"qty":[4,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}'],
    ["ordinary order fields", "sku=coffee-1&qty=2&name=Ada&zip=10115"],
    ["Arabic-Indic digits failing Luhn", inScript("4111111111111112", 0x0660)],
  ])("ignores %s", (_label, text) => {
    expect(containsCardNumber(text)).toBe(false);
  });
});

describe("order body scan", () => {
  it("finds a card number in a form value written with + for spaces or percent-escaped", () => {
    expect(containsCardNumber("card=4111+1111+1111+1111")).toBe(false);
    expect(scanOrderBody("card=4111+1111+1111+1111", "form")).toBe("card");
    expect(scanOrderBody("card=4111%201111%201111%201111", "form")).toBe("card");
    expect(scanOrderBody("card=%34111111111111111", "form")).toBe("card");
    expect(scanOrderBody(`note=${encodeURIComponent(inScript("4111111111111111", 0x0660))}`, "form")).toBe("card");
  });

  it("finds a card number in a form field's name", () => {
    expect(scanOrderBody("4111111111111111=1", "form")).toBe("card");
    expect(scanOrderBody("items[4111111111111111]=1", "form")).toBe("card");
  });

  it("finds a card number hidden behind JSON escapes, in a member name and as a JSON number", () => {
    expect(scanOrderBody('{"pan":"\\u0034111111111111111"}', "json")).toBe("card");
    expect(scanOrderBody('{"pan":"\\u0664\\u0661\\u0661\\u0661111111111111"}', "json")).toBe("card");
    expect(scanOrderBody('{"4111 1111 1111 1111":true}', "json")).toBe("card");
    expect(scanOrderBody('{"pan":4111111111111111}', "json")).toBe("card");
    expect(scanOrderBody('{"pan":6011000990139424009}', "json")).toBe("card");
  });

  it("scans every string at any depth, thousands of levels down", () => {
    const pan = '"\\u0034111 1111 1111 1111"';
    expect(scanOrderBody(deepArrays(20_000, pan), "json")).toBe("card");
    expect(scanOrderBody(deepObjects(20_000, pan), "json")).toBe("card");
    expect(scanOrderBody(deepArrays(20_000, `{${pan}:1}`), "json")).toBe("card");
    expect(scanOrderBody(deepArrays(20_000, '"no card here"'), "json")).toBe("clean");
    // The last of many members, after deep siblings.
    expect(scanOrderBody(`[${deepArrays(3000, "1")},${deepObjects(3000, "2")},${pan}]`, "json")).toBe("card");
  });

  it("leaves product identifier fields alone, also nested and in any case, but not what they contain", () => {
    // 4222222222222 is a 13-digit Visa test number: as an EAN it would be refused.
    const ean = "4222222222222";
    for (const field of ["sku", "ean", "gtin", "upc", "mpn", "id", "SKU", "Id"]) {
      expect(scanOrderBody(JSON.stringify({ items: [{ [field]: ean, qty: 1 }] }), "json"), field).toBe("clean");
      expect(scanOrderBody(`{"${field}":${ean}}`, "json"), field).toBe("clean");
      expect(scanOrderBody(`items[0][${field}]=${ean}&qty=1`, "form"), field).toBe("clean");
    }
    expect(scanOrderBody(`sku[]=${ean}&sku[]=${ean}`, "form")).toBe("clean");
    // Only the identifier's own value is skipped: the next member, other fields and nested objects are scanned.
    expect(scanOrderBody(`{"sku":"A","note":"${ean}"}`, "json")).toBe("card");
    expect(scanOrderBody(`{"skus":["${ean}"]}`, "json")).toBe("card");
    expect(scanOrderBody(`{"id":{"pan":"${ean}"}}`, "json")).toBe("card");
    expect(scanOrderBody(`{"id":["${ean}"]}`, "json")).toBe("card");
    expect(scanOrderBody(`{"product_sku_note":"${ean}"}`, "json")).toBe("card");
    expect(scanOrderBody(`sku=A&note=${ean}`, "form")).toBe("card");
  });

  it("refuses what it cannot scan to the end rather than waving it through", () => {
    for (const body of ['{"a":[1,2', '{"a":"\\x34"}', '{"a":"4111', "[1]]", "{'a':1}"]) {
      expect(scanOrderBody(body, "json"), body).toBe("unscannable");
      expect(bodyContainsCardNumber(body, "json"), body).toBe(true);
    }
  });

  it("passes a body without card data", () => {
    expect(scanOrderBody('{"items":[{"sku":"A","qty":2}],"email":"ada@example.com"}', "json")).toBe("clean");
    expect(scanOrderBody('\ufeff{"phone":"+49 30 1234567","at":1718000000006}', "json")).toBe("clean");
    expect(scanOrderBody("sku=A&qty=2&email=ada%40example.com&phone=%2B4930123456789", "form")).toBe("clean");
    expect(bodyContainsCardNumber("sku=A&qty=2", "form")).toBe(false);
  });
});
