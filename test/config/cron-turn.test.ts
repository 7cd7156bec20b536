import { afterEach, describe, expect, it, vi } from "vitest";
import { cronOrder, takeCronTurn } from "../../src/config/cron-turn";
import type { RegisteredShop } from "../../src/config/shops";
import { FakeOrigin } from "../support/origin";
import { registerShop, registryObject } from "../support/registry";
import { shopEnv } from "../support/worker";
import { runCron } from "../readiness/cron";

describe("which shops a cron run takes, and in what order", () => {
  const ids = ["a", "b", "c", "d"];

  it("starts at the first shop when no run has stopped anywhere yet", () => {
    expect(cronOrder(ids, null)).toEqual(["a", "b", "c", "d"]);
  });

  it("starts after the shop the previous run did last, wrapping round to the ones before it", () => {
    expect(cronOrder(ids, "b")).toEqual(["c", "d", "a", "b"]);
    expect(cronOrder(ids, "d")).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps its place when the cursor's shop was deleted, and takes a shop added since in its turn", () => {
    expect(cronOrder(["a", "c", "d"], "b")).toEqual(["c", "d", "a"]);
    expect(cronOrder(["a", "b", "bb", "c"], "b")).toEqual(["bb", "c", "a", "b"]);
    expect(cronOrder(["a", "c"], "z")).toEqual(["a", "c"]);
    expect(cronOrder([], "b")).toEqual([]);
  });

  it("goes by id order whatever order the list came in", () => {
    expect(cronOrder(["c", "a", "d", "b"], "b")).toEqual(["c", "d", "a", "b"]);
  });
});

const platform = shopEnv();
const started: FakeOrigin[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(started.splice(0).map((origin) => origin.stop()));
});

/** Registers `count` shops of this test (ids sorting together), each on its own loopback origin. */
async function shops(count: number): Promise<{ id: string; origin: FakeOrigin; path: string }[]> {
  const tag = crypto.randomUUID().slice(0, 6);
  const made = [];
  for (let i = 0; i < count; i++) {
    const origin = await FakeOrigin.start();
    started.push(origin);
    const id = `cron-${tag}-${i}`;
    const path = `/critical-${id}`;
    await registerShop(platform, id, {
      hosts: [`${id}.example`],
      config: { ORIGIN_URL: origin.url, SHOP_URL: `https://${id}.example`, CRITICAL_PATHS: path, SITEMAP_URL: "" },
    });
    made.push({ id, origin, path });
  }
  return made;
}

describe("the cron's turn through many shops", () => {
  it("with a tiny budget, two runs in a row take different shops, starting where the last stopped, and in turn all of them", async () => {
    const mine = await shops(3);
    const ours = new Set(mine.map((shop) => shop.id));
    // Only this file's shops are registered, so a run's turn goes round these three.
    const turn = async () => {
      const taken: string[] = [];
      const work = async (shop: RegisteredShop) => void taken.push(shop.id);
      await takeCronTurn(platform, work, { budgetMs: 0 });
      return taken;
    };
    const first = await turn();
    const second = await turn();
    const third = await turn();
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    expect(new Set([...first, ...second, ...third])).toEqual(ours);
    // Round again: the fourth run is where the first was.
    expect(await turn()).toEqual(first);
    expect(await registryObject().cronCursor()).toBe(first[0]);
  });

  it("says how many shops a run did and where the next one starts", async () => {
    await shops(2);
    const logged = vi.spyOn(console, "log");
    await takeCronTurn(platform, async () => new Promise((resolve) => setTimeout(resolve, 5)), { budgetMs: 1 });
    const line = logged.mock.calls.map(([text]) => String(text)).find((text) => text.includes('"cron_turn"'));
    expect(JSON.parse(line!)).toMatchObject({ done: 1, next: expect.any(String), shops: expect.any(Number) });
  });

  it("the real cron with its budget reaches every shop (pre-warmed from each one's own origin) in one run", async () => {
    const mine = await shops(2);
    await runCron(platform);
    for (const shop of mine) expect((await shop.origin.requests()).map((request) => request.path)).toContain(shop.path);
  });

  it("runs the vars shop in single-shop mode, without asking the registry for shops or a cursor", async () => {
    const asked: string[] = [];
    const registry = {
      getByName: () =>
        new Proxy(
          {},
          { get: (_target, name) => (asked.push(String(name)), () => Promise.reject(new Error("no registry"))) },
        ),
    };
    const single = shopEnv({ PLATFORM_TOKEN: undefined, SHOP_REGISTRY: registry });
    const taken: string[] = [];
    await takeCronTurn(single, async (shop) => void taken.push(shop.id), { budgetMs: 0 });
    expect(taken).toEqual(["default"]);
    expect(asked).toEqual([]);
  });
});
