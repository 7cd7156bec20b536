import { walkJson } from "./json-walk";

/**
 * Card-number detection: the edge never stores card data, so every order it
 * is about to hold is scanned first. A card number is what the contract says:
 * 13–19 digits starting 2–6 (the card networks' ranges) passing the Luhn
 * check, as one run or in groups separated by any mix of whitespace, dashes,
 * dots, slashes or underscores; up to 15 digits right after a `+` are a phone
 * number. A digit is any Unicode decimal digit (Arabic-Indic ٤, Devanagari ४,
 * fullwidth ４ …) read as its value. The values of product identifier fields
 * are not scanned (an EAN passes Luhn one time in ten); everything else is,
 * object keys included, at any depth.
 */

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
const PHONE_MAX_DIGITS = 15;
const NETWORK_FIRST_DIGITS = "23456";
/** Fields whose values are product identifiers (matched case-insensitively, also as `items[0][sku]`). */
const IDENTIFIER_FIELDS: ReadonlySet<string> = new Set(["sku", "ean", "gtin", "upc", "mpn", "id"]);

/** Between digit groups: any run of whitespace, dashes (any script's), dots, slashes and underscores. */
const SEPARATOR = /[\s\p{Pd}./_]+/u;
const DIGIT_GROUPS = new RegExp(String.raw`\d+(?:${SEPARATOR.source}\d+)*`, "gu");
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII_DIGITS = /(?![0-9])\p{Nd}/gu;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const digitValues = new Map<number, string>();

/**
 * A decimal digit's value: Unicode keeps every script's digits as contiguous
 * runs of ten from zero to nine, so the value is how far the digit sits from
 * the start of its run (modulo ten: some runs follow each other directly).
 */
function digitValue(digit: string): string {
  const codePoint = digit.codePointAt(0)!;
  let value = digitValues.get(codePoint);
  if (value === undefined) {
    let offset = 0;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - offset - 1))) offset++;
    value = String(offset % 10);
    digitValues.set(codePoint, value);
  }
  return value;
}

/** Compatibility forms folded (fullwidth `．／＿`), then every decimal digit written as its ASCII digit. */
function asciiDigits(text: string): string {
  return text.normalize("NFKC").replace(NON_ASCII_DIGITS, digitValue);
}

function looksLikeCard(digits: string): boolean {
  return (
    digits.length >= MIN_DIGITS &&
    digits.length <= MAX_DIGITS &&
    NETWORK_FIRST_DIGITS.includes(digits[0]!) &&
    passesLuhn(digits)
  );
}

/** Whether `text` contains a card-number-like value anywhere, including between other digit groups. */
export function containsCardNumber(text: string): boolean {
  const plain = asciiDigits(text);
  for (const match of plain.matchAll(DIGIT_GROUPS)) {
    const groups = match[0].split(SEPARATOR);
    if (plain[match.index - 1] === "+" && groups.join("").length <= PHONE_MAX_DIGITS) continue;
    // A card is whole groups: try every run of consecutive groups that fits in 19 digits.
    for (let start = 0; start < groups.length; start++) {
      let digits = "";
      for (let end = start; end < groups.length && digits.length + groups[end]!.length <= MAX_DIGITS; end++) {
        digits += groups[end];
        if (looksLikeCard(digits)) return true;
      }
    }
  }
  return false;
}

/** `sku`, `SKU`, `items[0][sku]`, `sku[]`: the last segment of a field name says what the value is. */
function isIdentifierField(name: string | null): boolean {
  if (name === null) return false;
  const segments = name.split(/[[\]]/).filter((segment) => segment !== "");
  return IDENTIFIER_FIELDS.has((segments.at(-1) ?? "").toLowerCase());
}

/** `unscannable`: the scan could not finish, so nothing can be said about the body: it is refused. */
export type CardScan = "clean" | "card" | "unscannable";

function scanForm(body: string): CardScan {
  for (const [name, value] of new URLSearchParams(body)) {
    if (containsCardNumber(name) || (!isIdentifierField(name) && containsCardNumber(value))) return "card";
  }
  return "clean";
}

function scanJson(body: string): CardScan {
  const walk = walkJson(
    body,
    (scalar) => !(scalar.kind !== "name" && isIdentifierField(scalar.member)) && containsCardNumber(scalar.text),
  );
  return walk === "done" ? "clean" : walk === "stopped" ? "card" : "unscannable";
}

/**
 * Scans an order body as the origin will read it: every form field name and
 * value un-escaped (`4111+1111…`, `%34…`), every JSON member name, string
 * (escapes resolved, `\u0034…`) and number, at any depth. Total: whatever
 * goes wrong while scanning is `unscannable`, never `clean`.
 */
export function scanOrderBody(body: string, kind: "json" | "form"): CardScan {
  try {
    return kind === "form" ? scanForm(body) : scanJson(body);
  } catch {
    return "unscannable";
  }
}

/** Whether a body must be refused for card data; a body that cannot be scanned counts as having some. */
export function bodyContainsCardNumber(body: string, kind: "json" | "form"): boolean {
  return scanOrderBody(body, kind) !== "clean";
}
