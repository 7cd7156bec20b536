import assert from "node:assert/strict";
import { once } from "node:events";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { after, afterEach, before, describe, test } from "node:test";
import { get, makeDataDir, postOrder, removeDataDir, setMode, startShop } from "../test-support/shop-process.mjs";

const TIMEOUT = { timeout: 15_000 };

/** A raw HTTP/1.1 connection, to see exactly what happens to the socket. */
async function rawRequest(port, path) {
  const socket = net.connect(port, "127.0.0.1");
  await once(socket, "connect");
  let received = "";
  socket.on("data", (chunk) => (received += chunk));
  socket.on("error", () => {});
  const closed = once(socket, "close");
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  return { socket, closed, received: () => received };
}

function within(promise, ms, what) {
  // ref: false so a pending deadline never keeps the test process alive.
  const deadline = sleep(ms, undefined, { ref: false }).then(() =>
    assert.fail(`${what} did not happen within ${ms} ms`),
  );
  return Promise.race([promise, deadline]);
}

describe("control API and failure modes", { timeout: 90_000 }, () => {
  let shop;
  let dataDir;
  before(async () => {
    dataDir = makeDataDir();
    shop = await startShop({ dataDir, env: { DEMO_ALLOW_RESET: "1" } });
  });
  afterEach(() => setMode(shop.control, { mode: "up" }));
  after(async () => {
    await shop?.stop();
    removeDataDir(dataDir);
  });

  test("GET /mode starts up", TIMEOUT, async () => {
    const mode = await (await get(`${shop.control}/mode`)).json();
    assert.equal(mode.mode, "up");
    assert.equal(mode.listening, true);
  });

  test(
    "down refuses connections and drops keep-alive sockets; up listens again on the same port",
    TIMEOUT,
    async () => {
      const idle = await rawRequest(shop.ports[0], "/healthz");
      await within(new Promise((resolve) => idle.socket.once("data", resolve)), 2000, "first response");

      const state = await setMode(shop.control, { mode: "down" });
      assert.equal(state.listening, false);
      await within(idle.closed, 2000, "keep-alive socket closed");
      await assert.rejects(get(`${shop.shop}/healthz`), (error) => {
        assert.equal(error.cause?.code, "ECONNREFUSED");
        return true;
      });

      await setMode(shop.control, { mode: "up" });
      const res = await get(`${shop.shop}/healthz`);
      assert.equal(res.status, 200);
    },
  );

  test("error answers every shop request, /healthz included, with the chosen status", TIMEOUT, async () => {
    await setMode(shop.control, { mode: "error", status: 503 });
    for (const path of ["/", "/healthz", "/api/products"]) {
      const res = await get(`${shop.shop}${path}`);
      assert.equal(res.status, 503, path);
      assert.match(res.headers.get("content-type"), /^text\/html/);
      assert.match(await res.text(), /503 Server Error/);
    }
    await setMode(shop.control, { mode: "error" });
    assert.equal((await get(`${shop.shop}/`)).status, 500, "status defaults to 500");
    assert.equal((await get(`${shop.control}/mode`)).status, 200, "the control API is unaffected");
  });

  test("hang accepts requests and never answers, until the mode changes", TIMEOUT, async () => {
    await setMode(shop.control, { mode: "hang" });
    await assert.rejects(get(`${shop.shop}/healthz`, { signal: AbortSignal.timeout(500) }), { name: "TimeoutError" });

    const parked = await rawRequest(shop.ports[0], "/");
    await sleep(300);
    assert.equal(parked.received(), "");
    const mode = await (await get(`${shop.control}/mode`)).json();
    assert.ok(mode.hangingRequests >= 1);

    await setMode(shop.control, { mode: "up" });
    await within(parked.closed, 2000, "hung socket released");
    assert.equal((await get(`${shop.shop}/healthz`)).status, 200);
  });

  test("slow answers normally after delayMs", TIMEOUT, async () => {
    await setMode(shop.control, { mode: "slow", delayMs: 400 });
    const started = Date.now();
    const res = await get(`${shop.shop}/healthz`);
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 380, `took ${Date.now() - started} ms`);
  });

  test("flap alternates between error and up", TIMEOUT, async () => {
    await setMode(shop.control, { mode: "flap", periodMs: 200 });
    const seen = new Set();
    const deadline = Date.now() + 3000;
    while (seen.size < 2 && Date.now() < deadline) {
      seen.add((await get(`${shop.shop}/healthz`)).status);
      await sleep(50);
    }
    assert.deepEqual([...seen].sort(), [200, 500]);
  });

  test("mode can be set with a query string or a form body, and is validated", TIMEOUT, async () => {
    const query = await get(`${shop.control}/mode?mode=error&status=502`, { method: "POST" });
    assert.equal((await query.json()).status, 502);
    const form = await get(`${shop.control}/mode`, {
      method: "POST",
      body: new URLSearchParams({ mode: "slow", delayMs: "10" }),
    });
    assert.equal((await form.json()).mode, "slow");
    const bad = await get(`${shop.control}/mode`, { method: "POST", body: '{"mode":"explode"}' });
    assert.equal(bad.status, 400);
    const badStatus = await get(`${shop.control}/mode?mode=error&status=99`, { method: "POST" });
    assert.equal(badStatus.status, 400);
  });

  test("stats count requests by path and orders; reset clears them", TIMEOUT, async () => {
    await get(`${shop.shop}/p/1`);
    await postOrder(shop.shop, { sku: "COF-YIRG-250", qty: 1 });
    const stats = await (await get(`${shop.control}/stats`)).json();
    assert.ok(stats.requests >= 2);
    assert.ok(stats.byPath["/p/1"] >= 1);
    assert.ok(stats.orders >= 1);

    assert.equal((await get(`${shop.control}/reset`, { method: "POST" })).status, 200);
    const cleared = await (await get(`${shop.control}/stats`)).json();
    assert.deepEqual(cleared, { requests: 0, byPath: {}, orders: 0 });
    assert.deepEqual(await (await get(`${shop.shop}/api/orders`)).json(), { orders: [] });
  });
});

describe("process lifecycle", { timeout: 60_000 }, () => {
  test("reset is refused unless DEMO_ALLOW_RESET=1", TIMEOUT, async () => {
    const dataDir = makeDataDir();
    const shop = await startShop({ dataDir });
    try {
      assert.equal((await get(`${shop.control}/reset`, { method: "POST" })).status, 403);
    } finally {
      await shop.stop();
      removeDataDir(dataDir);
    }
  });

  test("SIGTERM shuts down cleanly even with a hung request, exit code 0", TIMEOUT, async () => {
    const dataDir = makeDataDir();
    const shop = await startShop({ dataDir });
    try {
      await setMode(shop.control, { mode: "hang" });
      const parked = await rawRequest(shop.ports[0], "/");
      await sleep(100);
      const { code } = await within(shop.stop(), 5000, "shutdown");
      assert.equal(code, 0);
      await within(parked.closed, 2000, "hung socket closed");
    } finally {
      removeDataDir(dataDir);
    }
  });

  test("PORT=0 binds a free port and prints it; CONTROL_PORT=0 disables the control API", TIMEOUT, async () => {
    const dataDir = makeDataDir();
    const shop = await startShop({ dataDir, ports: [0, 0] });
    try {
      const match = shop.output().match(/demo shop listening on http:\/\/127\.0\.0\.1:(\d+) \(control disabled\)/);
      assert.ok(match, shop.output());
      assert.equal((await get(`http://127.0.0.1:${match[1]}/healthz`)).status, 200);
    } finally {
      await shop.stop();
      removeDataDir(dataDir);
    }
  });
});
