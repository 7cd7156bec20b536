/**
 * IP addresses and CIDR ranges, IPv4 and IPv6, as plain bytes so a parsed
 * allowlist is ordinary data. An IPv4-mapped IPv6 address (::ffff:203.0.113.7)
 * is the IPv4 address it carries, on either side of the match.
 */

export type IpAddress = { version: 4 | 6; bytes: number[] };
export type IpRange = IpAddress & { prefix: number };

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.map(Number);
}

/** Hex groups; the address's very last group may be a dotted IPv4 address. */
function parseGroups(text: string, endsAddress: boolean): number[] | null {
  if (text === "") return [];
  const groups = text.split(":");
  const bytes: number[] = [];
  for (const [index, group] of groups.entries()) {
    if (endsAddress && index === groups.length - 1 && group.includes(".")) {
      const v4 = parseIpv4(group);
      if (!v4) return null;
      bytes.push(...v4);
    } else if (/^[0-9a-f]{1,4}$/i.test(group)) {
      const value = parseInt(group, 16);
      bytes.push(value >> 8, value & 0xff);
    } else {
      return null;
    }
  }
  return bytes;
}

function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 16 ? head : null;
  const missing = 16 - head.length - tail.length;
  return missing >= 2 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

const MAPPED_V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function unmapped(address: IpAddress): IpAddress {
  if (address.version === 6 && MAPPED_V4_PREFIX.every((byte, index) => address.bytes[index] === byte)) {
    return { version: 4, bytes: address.bytes.slice(12) };
  }
  return address;
}

export function parseIp(text: string): IpAddress | null {
  const trimmed = text.trim();
  const v4 = parseIpv4(trimmed);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = trimmed.includes(":") ? parseIpv6(trimmed) : null;
  return v6 ? unmapped({ version: 6, bytes: v6 }) : null;
}

/** "203.0.113.7", "203.0.113.0/24", "2001:db8::/32"; null when it is none of these. */
export function parseIpRange(text: string): IpRange | null {
  const [addressText, prefixText, ...rest] = text.trim().split("/");
  if (rest.length > 0 || addressText === undefined) return null;
  const raw = addressText.includes(":") ? parseIpv6(addressText) : parseIpv4(addressText);
  if (!raw) return null;
  const version = raw.length === 4 ? 4 : 6;
  const width = raw.length * 8;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (prefix > width) return null;
  const address = unmapped({ version, bytes: raw });
  // ::ffff:203.0.113.0/120 is the IPv4 range 203.0.113.0/24.
  if (address.version !== version) return prefix >= 96 ? { ...address, prefix: prefix - 96 } : null;
  return { ...address, prefix };
}

function inRange(address: IpAddress, range: IpRange): boolean {
  if (address.version !== range.version) return false;
  const fullBytes = Math.floor(range.prefix / 8);
  for (let index = 0; index < fullBytes; index++) if (address.bytes[index] !== range.bytes[index]) return false;
  const remainingBits = range.prefix % 8;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return ((address.bytes[fullBytes]! ^ range.bytes[fullBytes]!) & mask) === 0;
}

/** Whether a client address (as CF-Connecting-IP gives it) is in any of the ranges; garbage matches nothing. */
export function ipAllowed(client: string | null | undefined, ranges: readonly IpRange[]): boolean {
  if (!client || ranges.length === 0) return false;
  const address = parseIp(client);
  return address !== null && ranges.some((range) => inRange(address, range));
}
