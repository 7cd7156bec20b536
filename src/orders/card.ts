/**
 * Card-number detection: the edge never stores card data, so every order it
 * is about to hold is scanned first. A card number here is what the contract
 * says, 13–19 digits passing the Luhn check, written as one run or in groups
 * separated by whitespace, dashes, dots, slashes or underscores (or a mix).
 * Fullwidth digits (a Japanese keyboard's) count as digits. No range of
 * leading digits is exempt, so a 13-digit millisecond timestamp or a long
 * phone number passes Luhn one time in ten and is refused too (README,
 * "Contract notes", proposes narrower wording).
 */

const MIN_DIGITS = 13;
const MAX_DIGITS = 19;
const FULLWIDTH_DIGITS = /[\uff10-\uff19]/g;
/** Between digit groups: any whitespace (no-break spaces and line breaks too), around at most one of . / _ - */
const SEPARATOR = /\s*[./_-]\s*|\s+/;
const DIGIT_GROUPS = new RegExp(String.raw`\d+(?:(?:${SEPARATOR.source})\d+)*`, "g");

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

function looksLikeCard(digits: string): boolean {
  return digits.length >= MIN_DIGITS && digits.length <= MAX_DIGITS && passesLuhn(digits);
}

/** Whether `text` contains a card-number-like value anywhere, including between other digit groups. */
export function containsCardNumber(text: string): boolean {
  const ascii = text.replace(FULLWIDTH_DIGITS, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0));
  for (const match of ascii.matchAll(DIGIT_GROUPS)) {
    const groups = match[0].split(SEPARATOR);
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

function jsonStrings(value: unknown, out: string[]): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) jsonStrings(item, out);
  else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      jsonStrings(item, out);
    }
  }
  return out;
}

/**
 * Scans an order body as sent and as decoded: form fields un-escaped
 * (`4111+1111…`), JSON strings with their escapes resolved (`\u0034…`).
 */
export function bodyContainsCardNumber(body: string, kind: "json" | "form"): boolean {
  if (containsCardNumber(body)) return true;
  let decoded: string[] = [];
  if (kind === "form") decoded = [...new URLSearchParams(body)].flat();
  else {
    try {
      decoded = jsonStrings(JSON.parse(body), []);
    } catch {
      // Malformed JSON never reaches the queue; the raw scan above still ran.
    }
  }
  return decoded.some(containsCardNumber);
}
