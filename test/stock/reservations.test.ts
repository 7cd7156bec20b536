import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HOLD_MS } from "../../src/stock/reservations";
import { reserveLines, settleOrderStock, stockObject, reservationMeta } from "../../src/stock/reserve";
import { varsShop } from "../../src/config/shop";

const shop = varsShop(env);
let skuCounter = 0;
const freshSku = () => `SKU-${++skuCounter}-${crypto.randomUUID().slice(0, 8)}`;
const asOf = Date.parse("2026-11-26T10:00:00Z");

describe("stock reservations", () => {
  it("sells exactly the feed's stock, then refuses with what is left", async () => {
    const stock = stockObject(env, shop, freshSku());
    expect(await stock.reserve({ id: "a", qty: 2, stock: 3, stockAsOf: asOf })).toEqual({ ok: true, available: 1 });
    expect(await stock.reserve({ id: "b", qty: 2, stock: 3, stockAsOf: asOf })).toEqual({ ok: false, available: 1 });
    expect(await stock.reserve({ id: "c", qty: 1, stock: 3, stockAsOf: asOf })).toEqual({ ok: true, available: 0 });
    expect(await stock.available({ stock: 3, stockAsOf: asOf })).toBe(0);
  });

  it("never refuses untracked stock", async () => {
    const stock = stockObject(env, shop, freshSku());
    expect(await stock.reserve({ id: "a", qty: 99, stock: null, stockAsOf: asOf })).toEqual({
      ok: true,
      available: null,
    });
  });

  it("counts the same reservation id once", async () => {
    const stock = stockObject(env, shop, freshSku());
    await stock.reserve({ id: "same", qty: 1, stock: 2, stockAsOf: asOf });
    await stock.reserve({ id: "same", qty: 1, stock: 2, stockAsOf: asOf });
    expect(await stock.available({ stock: 2, stockAsOf: asOf })).toBe(1);
  });

  it("lets a hold whose order was never queued lapse, but keeps confirmed ones", async () => {
    const stock = stockObject(env, shop, freshSku());
    const now = Date.now();
    await stock.reserve({ id: "lost", qty: 1, stock: 2, stockAsOf: asOf }, now);
    await stock.reserve({ id: "queued", qty: 1, stock: 2, stockAsOf: asOf }, now);
    await stock.confirm("queued", "ref-queued");
    expect(await stock.available({ stock: 2, stockAsOf: asOf }, now + HOLD_MS + 1)).toBe(1);
  });

  it("uses the newest stock figure it has seen, whatever an isolate's older snapshot says", async () => {
    const stock = stockObject(env, shop, freshSku());
    await stock.reserve({ id: "a", qty: 1, stock: 1, stockAsOf: asOf + 1000 });
    expect(await stock.reserve({ id: "b", qty: 1, stock: 5, stockAsOf: asOf })).toEqual({ ok: false, available: 0 });
  });

  it("releases the units of an order that dead-letters or is discarded", async () => {
    const sku = freshSku();
    const stock = stockObject(env, shop, sku);
    expect((await reserveLines(env, shop, "r1", [{ sku, qty: 1, stock: 1, stockAsOf: asOf }])).ok).toBe(true);
    await stock.confirm("r1", "ref-1");
    expect(await reserveLines(env, shop, "r2", [{ sku, qty: 1, stock: 1, stockAsOf: asOf }])).toEqual({
      ok: false,
      sku,
      available: 0,
    });

    await settleOrderStock(env, shop, reservationMeta("r1", [sku]), "dead");
    expect(await stock.available({ stock: 1, stockAsOf: asOf })).toBe(1);
  });

  it("keeps counting a delivered order until a feed newer than the delivery arrives", async () => {
    const sku = freshSku();
    const stock = stockObject(env, shop, sku);
    await stock.reserve({ id: "d", qty: 2, stock: 5, stockAsOf: asOf });
    await stock.confirm("d", "ref-d");
    const deliveredAt = asOf + 60_000;
    await settleOrderStock(env, shop, reservationMeta("d", [sku]), "delivered", deliveredAt);
    // A feed from before the delivery does not know about the order yet.
    expect(await stock.available({ stock: 5, stockAsOf: asOf + 30_000 })).toBe(3);
    // A feed from after it already counts the order in the shop's own stock.
    expect(await stock.available({ stock: 3, stockAsOf: deliveredAt + 1 })).toBe(3);
  });

  it("reserves all lines of an order or none", async () => {
    const plenty = freshSku();
    const scarce = freshSku();
    const outcome = await reserveLines(env, shop, "multi", [
      { sku: plenty, qty: 1, stock: 10, stockAsOf: asOf },
      { sku: scarce, qty: 2, stock: 1, stockAsOf: asOf },
    ]);
    expect(outcome).toEqual({ ok: false, sku: scarce, available: 1 });
    expect(await stockObject(env, shop, plenty).available({ stock: 10, stockAsOf: asOf })).toBe(10);
  });

  it("ignores orders queued without reservations", async () => {
    await expect(settleOrderStock(env, shop, undefined, "dead")).resolves.toBeUndefined();
    await expect(settleOrderStock(env, shop, { source: "api" }, "discarded")).resolves.toBeUndefined();
  });

  it("never sells the last item twice when many shoppers reserve it at once", async () => {
    const sku = freshSku();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        stockObject(env, shop, sku).reserve({ id: `race-${i}`, qty: 1, stock: 3, stockAsOf: asOf }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
  });
});
