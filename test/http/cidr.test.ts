import { describe, expect, it } from "vitest";
import { ipAllowed, parseIp, parseIpRange } from "../../src/http/cidr";

const ranges = (...texts: string[]) => texts.map((text) => parseIpRange(text)!);

describe("IP allowlist", () => {
  it("matches IPv4 addresses and ranges", () => {
    const allow = ranges("203.0.113.0/24", "198.51.100.7", "10.0.0.0/8", "192.0.2.128/25");
    for (const ip of ["203.0.113.0", "203.0.113.255", "198.51.100.7", "10.200.3.4", "192.0.2.200"])
      expect(ipAllowed(ip, allow), ip).toBe(true);
    for (const ip of ["203.0.114.1", "198.51.100.8", "11.0.0.1", "192.0.2.127"])
      expect(ipAllowed(ip, allow), ip).toBe(false);
  });

  it("matches IPv6 addresses and ranges, however they are written", () => {
    const allow = ranges("2001:db8::/32", "2a02:1234:5678::1", "fe80::/10");
    for (const ip of ["2001:db8::1", "2001:0db8:ffff:0000::abcd", "2a02:1234:5678:0:0:0:0:1", "febf::1"])
      expect(ipAllowed(ip, allow), ip).toBe(true);
    for (const ip of ["2001:db9::1", "2a02:1234:5678::2", "fec0::1", "::1"])
      expect(ipAllowed(ip, allow), ip).toBe(false);
  });

  it("treats an IPv4-mapped IPv6 address as the IPv4 address it carries", () => {
    expect(ipAllowed("::ffff:203.0.113.9", ranges("203.0.113.0/24"))).toBe(true);
    expect(ipAllowed("203.0.113.9", ranges("::ffff:203.0.113.0/120"))).toBe(true);
    expect(ipAllowed("203.0.113.9", ranges("2001:db8::/32"))).toBe(false);
  });

  it("lets everyone through only with an explicit /0", () => {
    expect(ipAllowed("8.8.8.8", ranges("0.0.0.0/0"))).toBe(true);
    expect(ipAllowed("2001:db8::1", ranges("0.0.0.0/0"))).toBe(false);
  });

  it("matches nothing for a missing or malformed client address", () => {
    const allow = ranges("0.0.0.0/0", "::/0");
    for (const ip of [null, undefined, "", "unknown", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1::2::3", "[::1]"])
      expect(ipAllowed(ip, allow), String(ip)).toBe(false);
  });

  it("refuses malformed ranges", () => {
    for (const text of [
      "203.0.113.0/33",
      "2001:db8::/129",
      "203.0.113.0/",
      "203.0.113.0/24/1",
      "2001:db8::/x",
      "1.2.3.4::",
      "1:2:3:4:5:6:7:8:9",
      "example.com",
    ]) {
      expect(parseIpRange(text), text).toBeNull();
    }
  });

  it("reads the IPv6 shorthands", () => {
    expect(parseIp("::")).toEqual({ version: 6, bytes: new Array(16).fill(0) });
    expect(parseIp("1::")?.bytes.slice(0, 2)).toEqual([0, 1]);
    expect(parseIp("::ffff:1.2.3.4")).toEqual({ version: 4, bytes: [1, 2, 3, 4] });
  });
});
