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
const SEPARATOR = /[\s\p{Pd}./_]/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII_DIGITS = /(?![0-9])\p{Nd}/gu;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Luhn sums of every prefix of `digits`, twice: with the digits at even
 * offsets doubled and with those at odd offsets doubled. Any window's Luhn
 * check is then one subtraction, so a long run of short digit groups costs
 * a pass over it, not a pass per window.
 */
function luhnPrefixSums(digits: string): { evenDoubled: Int32Array; oddDoubled: Int32Array } {
  const evenDoubled = new Int32Array(digits.length + 1);
  const oddDoubled = new Int32Array(digits.length + 1);
  for (let k = 0; k < digits.length; k++) {
    const digit = digits.charCodeAt(k) - 48;
    const doubled = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    evenDoubled[k + 1] = evenDoubled[k]! + (k % 2 === 0 ? doubled : digit);
    oddDoubled[k + 1] = oddDoubled[k]! + (k % 2 === 1 ? doubled : digit);
  }
  return { evenDoubled, oddDoubled };
}

/** Luhn over digits[start, end): the last digit is not doubled, every second one going left is. */
function luhnWindow(sums: ReturnType<typeof luhnPrefixSums>, start: number, end: number): boolean {
  const table = (end - 1) % 2 === 0 ? sums.oddDoubled : sums.evenDoubled;
  return (table[end]! - table[start]!) % 10 === 0;
}

export function passesLuhn(digits: string): boolean {
  return luhnWindow(luhnPrefixSums(digits), 0, digits.length);
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
  return NON_ASCII.test(text) ? text.normalize("NFKC").replace(NON_ASCII_DIGITS, digitValue) : text;
}

/** A run of 13+ digits (`bounds`: where each group starts, then the end) holding a card as whole groups. */
function cardInRun(digits: string, bounds: number[], afterPlus: boolean): boolean {
  if (digits.length < MIN_DIGITS || (afterPlus && digits.length <= PHONE_MAX_DIGITS)) return false;
  const sums = luhnPrefixSums(digits);
  for (let first = 0; first < bounds.length - 1; first++) {
    const start = bounds[first]!;
    if (!NETWORK_FIRST_DIGITS.includes(digits[start]!)) continue;
    for (let last = first + 1; last < bounds.length && bounds[last]! - start <= MAX_DIGITS; last++) {
      if (bounds[last]! - start >= MIN_DIGITS && luhnWindow(sums, start, bounds[last]!)) return true;
    }
  }
  return false;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/** Whitespace, a dash of any script, `.`, `/` or `_` (the common ASCII ones without a regular expression). */
function isSeparator(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  if (code === 32 || code === 45 || code === 46 || code === 47 || code === 95 || (code >= 9 && code <= 13)) return true;
  return code > 127 && SEPARATOR.test(text[at]!);
}

/**
 * Whether `text` contains a card-number-like value anywhere, including
 * between other digit groups. One pass: each run of digit groups is read
 * once, then its windows are checked against the Luhn sums of the run.
 */
export function containsCardNumber(text: string): boolean {
  if (!DECIMAL_DIGIT.test(text)) return false;
  const plain = asciiDigits(text);
  let at = 0;
  while (at < plain.length) {
    if (!isDigit(plain.charCodeAt(at))) {
      at++;
      continue;
    }
    const afterPlus = plain[at - 1] === "+";
    let digits = "";
    const bounds = [0];
    for (;;) {
      let end = at;
      while (end < plain.length && isDigit(plain.charCodeAt(end))) end++;
      digits += plain.slice(at, end);
      bounds.push(digits.length);
      let next = end;
      while (next < plain.length && isSeparator(plain, next)) next++;
      at = end;
      if (next === end || !isDigit(plain.charCodeAt(next))) break;
      at = next;
    }
    if (cardInRun(digits, bounds, afterPlus)) return true;
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
