/**
 * Walks a JSON text's scalars without recursion: an explicit stack of open
 * containers, so a body nested thousands deep is read to its end like any
 * other (a recursive walk would give up on the stack overflow). Strings come
 * out with their escapes resolved (`"\u0034"` is "4"), numbers as written.
 */

/** An object member's name, a string value or a number; `member` is the name a value is the direct value of. */
export type JsonScalar = { kind: "name" | "string" | "number"; text: string; member: string | null };

/** `stopped`: the visitor asked to stop; `too_deep`: a container opened deeper than the limit. */
export type JsonWalk = "done" | "stopped" | "too_deep" | "malformed";

type Frame = { object: boolean; member: string | null; expectName: boolean };

const WHITESPACE = new Set([" ", "\t", "\n", "\r", "\ufeff"]);
const LITERAL = /-?[0-9][0-9.eE+-]*|true|false|null/y;

/** Index of the quote closing the string that opens at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let quote = text.indexOf('"', start + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === "\\") backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

/** A string literal's value; only one with escapes needs decoding (by the platform: no recursion in a string). */
function decodeString(literal: string): string | null {
  if (!literal.includes("\\")) return literal.slice(1, -1);
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * Calls `visit` for every scalar in document order; it returns true to stop.
 * Never throws: anything that is not JSON is `malformed`.
 */
export function walkJson(
  text: string,
  visit: (scalar: JsonScalar) => boolean,
  maxDepth = Number.POSITIVE_INFINITY,
): JsonWalk {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const top = stack.at(-1);
    if (WHITESPACE.has(ch) || ch === ":") {
      i++;
    } else if (ch === "{" || ch === "[") {
      if (stack.length >= maxDepth) return "too_deep";
      stack.push({ object: ch === "{", member: null, expectName: ch === "{" });
      i++;
    } else if (ch === "}" || ch === "]") {
      if (top === undefined || top.object !== (ch === "}")) return "malformed";
      stack.pop();
      i++;
    } else if (ch === ",") {
      if (top === undefined) return "malformed";
      if (top.object) {
        top.member = null;
        top.expectName = true;
      }
      i++;
    } else if (ch === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return "malformed";
      const value = decodeString(text.slice(i, end + 1));
      if (value === null) return "malformed";
      i = end + 1;
      if (top?.object && top.expectName) {
        top.member = value;
        top.expectName = false;
        if (visit({ kind: "name", text: value, member: null })) return "stopped";
      } else if (visit({ kind: "string", text: value, member: top?.object ? top.member : null })) return "stopped";
    } else {
      LITERAL.lastIndex = i;
      const literal = LITERAL.exec(text)?.[0];
      if (literal === undefined) return "malformed";
      i += literal.length;
      const member = top?.object ? top.member : null;
      if (/[0-9]/.test(literal) && visit({ kind: "number", text: literal, member })) return "stopped";
    }
  }
  return stack.length === 0 ? "done" : "malformed";
}
