import { XMLValidator } from "fast-xml-parser";
import { parseAtomFeed } from "feedsmith";
import { describe, expect, it } from "vitest";
import { escapeXml, renderAtom } from "../../src/incidents/atom";
import { onStart, shownAfterEnd } from "../../src/incidents/flaps";
import { impactOf } from "../../src/incidents/impact";
import type { Incident } from "../../src/incidents/incident";
import { encodeCursor, nextPageLink, parsePageQuery } from "../../src/incidents/page";

const MIN = 60_000;

describe("flap merging", () => {
  it("continues an ongoing incident instead of starting a second one", () => {
    expect(onStart({ id: "a", endedAt: null }, 1_000, MIN)).toEqual({ action: "continue", id: "a" });
  });

  it("reopens the last incident when the next start comes within INCIDENT_MIN_S of its end", () => {
    expect(onStart({ id: "a", endedAt: 100_000 }, 100_000 + MIN - 1, MIN)).toEqual({ action: "reopen", id: "a" });
    expect(onStart({ id: "a", endedAt: 100_000 }, 100_000 + MIN, MIN)).toEqual({ action: "new" });
    expect(onStart(null, 5, MIN)).toEqual({ action: "new" });
  });

  it("leaves out an incident shorter than INCIDENT_MIN_S, unless an operator wrote on it", () => {
    expect(shownAfterEnd(0, MIN - 1, 0, MIN)).toBe(false);
    expect(shownAfterEnd(0, MIN, 0, MIN)).toBe(true);
    expect(shownAfterEnd(0, 1, 1, MIN)).toBe(true);
    expect(shownAfterEnd(0, 0, 0, 0)).toBe(true);
  });
});

describe("impact", () => {
  const baseline = { stale: 10, queued: 5, delivered: 7 };
  it("counts between the start and the end, and deliveries until the next incident, never above the orders taken", () => {
    expect(impactOf(baseline, { stale: 40, queued: 8, delivered: 7 }, 20, null)).toEqual({
      staleServed: 30,
      ordersAccepted: 3,
      ordersDelivered: 3,
    });
    expect(
      impactOf(baseline, { stale: 40, queued: 8, delivered: 7 }, null, { stale: 99, queued: 99, delivered: 9 }),
    ).toEqual({ staleServed: 30, ordersAccepted: 3, ordersDelivered: 2 });
  });

  it("counts up to now while ongoing, and claims nothing without a baseline", () => {
    expect(impactOf(baseline, null, null, { stale: 12, queued: 6, delivered: 7 })).toEqual({
      staleServed: 2,
      ordersAccepted: 1,
      ordersDelivered: 0,
    });
    expect(impactOf(null, null, null, { stale: 12, queued: 6, delivered: 7 })).toEqual({
      staleServed: 0,
      ordersAccepted: 0,
      ordersDelivered: 0,
    });
  });
});

describe("paging", () => {
  const id = `inc_${"ab".repeat(16)}`;

  it("reads limit and the cursor, refusing anything else", () => {
    expect(parsePageQuery({})).toEqual({ ok: true, value: { before: null, limit: 20 } });
    const cursor = encodeCursor({ startedAt: 1_700_000_000_000, id });
    expect(parsePageQuery({ before: cursor, limit: "5" })).toEqual({
      ok: true,
      value: { before: { startedAt: 1_700_000_000_000, id }, limit: 5 },
    });
    for (const limit of ["0", "101", "-1", "2.5", "ten", ""]) expect(parsePageQuery({ limit }).ok).toBe(false);
    for (const before of ["", "x", `abc.${id}`, "1700000000000.inc_zz"])
      expect(parsePageQuery({ before }).ok).toBe(false);
  });

  it("links to the next page only when there is more", () => {
    const last = { startedAt: 42, id };
    expect(nextPageLink(last, true, 2)).toBe(`/__stayopen/incidents.json?before=42.${id}&limit=2`);
    expect(nextPageLink(last, false, 2)).toBeNull();
    expect(nextPageLink(undefined, true, 2)).toBeNull();
  });
});

describe("Atom feed", () => {
  const nasty = `Checkout <b>down</b> & "payments" 'late'\u0007`;
  const incidents: Incident[] = [
    {
      id: `inc_${"1".repeat(32)}`,
      kind: "maintenance",
      startedAt: "2026-11-20T10:00:00.000Z",
      endedAt: null,
      title: nasty,
      updates: [{ at: "2026-11-20T10:05:00.000Z", message: "Back <soon> & better" }],
      impact: { staleServed: 4, ordersAccepted: 2, ordersDelivered: 0 },
    },
    {
      id: `inc_${"2".repeat(32)}`,
      kind: "outage",
      startedAt: "2026-11-19T08:00:00.000Z",
      endedAt: "2026-11-19T08:30:00.000Z",
      title: "Shop system unreachable",
      updates: [],
      impact: { staleServed: 120, ordersAccepted: 3, ordersDelivered: 3 },
    },
  ];

  it("is well-formed Atom 1.0 that a feed parser reads back, text escaped", () => {
    const xml = renderAtom({
      base: "https://shop.example",
      shopName: "Tea & <Co>",
      incidents,
      now: "2026-11-21T00:00:00.000Z",
    });
    expect(XMLValidator.validate(xml)).toBe(true);
    const feed = parseAtomFeed(xml);
    expect(feed.id).toBe("https://shop.example/__stayopen/incidents.atom");
    expect(feed.title?.value).toBe("Tea & <Co>: incident history");
    expect(feed.updated).toBe("2026-11-20T10:05:00.000Z");
    expect(feed.authors?.[0]?.name).toBe("Tea & <Co>");
    expect(feed.links?.find((link) => link.rel === "self")?.href).toBe(
      "https://shop.example/__stayopen/incidents.atom",
    );
    expect(feed.entries).toHaveLength(2);
    const [first, second] = feed.entries!;
    expect(first!.title?.value).toBe(`Checkout <b>down</b> & "payments" 'late'`);
    expect(first!.id).toBe(`https://shop.example/__stayopen/status#inc_${"1".repeat(32)}`);
    expect(first!.updated).toBe("2026-11-20T10:05:00.000Z");
    expect(first!.summary?.value).toContain("Back <soon> & better");
    expect(second!.updated).toBe("2026-11-19T08:30:00.000Z");
    expect(second!.published).toBe("2026-11-19T08:00:00.000Z");
  });

  it("stays well-formed without incidents", () => {
    const xml = renderAtom({
      base: "https://shop.example",
      shopName: "Tea",
      incidents: [],
      now: "2026-11-21T00:00:00.000Z",
    });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(parseAtomFeed(xml).updated).toBe("2026-11-21T00:00:00.000Z");
  });

  it("escapes every markup character and drops what XML cannot hold", () => {
    expect(escapeXml(`<a href="x">&'</a>\u0000\u001f\uFFFE`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(escapeXml("emoji 🍵 and é")).toBe("emoji 🍵 and é");
  });
});
