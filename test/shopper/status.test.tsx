import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/shop";
import { StatusPage, type PublicStatus } from "../../src/shopper/status";

const config = loadConfig(env);
const status: PublicStatus = {
  origin: "down",
  mode: "auto",
  since: "2026-11-26T10:00:00.000Z",
  message: null,
  queuedOrders: 3,
  incidents: [],
};
const page = (shown: PublicStatus, reopensAt: number | null = null) =>
  (<StatusPage config={config} status={shown} reopensAt={reopensAt} />).toString();

describe("the status page renders from the data it is given", () => {
  it("says the shop system is unreachable and how many orders wait, and that ordering still works", () => {
    const html = page(status);
    expect(html).toContain("Our shop system is unreachable");
    expect(html).toContain("<dd>3</dd>");
    expect(html).toContain("orders placed now are kept safe");
  });

  it("shows forced maintenance with the operator's message and the planned reopening", () => {
    const html = page(
      { ...status, origin: "up", mode: "maintenance", message: "Stocktake <today>" },
      Date.parse("2026-11-26T15:40:00Z"),
    );
    expect(html).toContain("Closed for maintenance");
    expect(html).toContain("Stocktake &lt;today&gt;");
    expect(html).toContain("Planned to reopen");
    expect(html).toContain("26 Nov 2026, 15:40 UTC");
  });

  it("says nothing of waiting out an outage while everything works", () => {
    const html = page({ ...status, origin: "up", queuedOrders: 0 });
    expect(html).toContain("Everything is working");
    expect(html).not.toContain("orders placed now are kept safe");
    expect(html).not.toContain("Planned to reopen");
  });
});
