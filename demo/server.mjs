// Demo shop origin for stayopen: `node demo/server.mjs`. See demo/README.md.
import http from "node:http";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createControlHandler, createStats } from "./control.mjs";
import { createFailureModes } from "./failure-modes.mjs";
import { sendText } from "./http.mjs";
import { openOrderStore } from "./orders-store.mjs";
import { createShop } from "./shop.mjs";
import { createShopListener } from "./shop-listener.mjs";
import { demoShop, demoShops } from "./shops.mjs";

const config = readConfig(process.env);
const store = openOrderStore(config.dataDir);
const stats = createStats();
const handleShop = createShop({
  shop: config.shop,
  shopLabel: config.shopLabel,
  store,
  replaySecret: config.replaySecret,
});

async function serve(req, res) {
  try {
    await handleShop(req, res);
  } catch (error) {
    console.error(`shop error on ${req.method} ${req.url}:`, error);
    if (!res.headersSent) sendText(res, 500, "internal error", { "cache-control": "no-store" });
    else res.destroy();
  }
}

const listener = createShopListener({
  host: config.host,
  port: config.port,
  handler(req, res) {
    stats.record(req.url.split("?")[0]);
    logRequest("", req, res);
    modes.intercept(req, res, serve);
  },
});
const modes = createFailureModes(listener);
await listener
  .up()
  .catch((error) => exitWith(`cannot listen on ${origin(config.host, config.port)}: ${error.message}`));

let control = null;
if (config.controlPort !== 0) {
  const handleControl = createControlHandler({ modes, stats, store, allowReset: config.allowReset });
  control = http.createServer((req, res) => {
    logRequest("control ", req, res);
    handleControl(req, res).catch((error) => {
      console.error("control error:", error);
      if (!res.headersSent) sendText(res, 500, "internal error");
    });
  });
  await new Promise((done, fail) => {
    control.once("error", fail);
    control.listen(config.controlPort, config.host, () => {
      control.off("error", fail);
      done();
    });
  }).catch((error) => exitWith(`cannot listen on ${origin(config.host, config.controlPort)}: ${error.message}`));
}

console.log(
  `demo shop listening on ${origin(config.host, listener.port)} (${control ? `control ${origin(config.host, config.controlPort)}` : "control disabled"})`,
);

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  control?.close();
  control?.closeAllConnections();
  await modes.set({ mode: "down" });
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

function logRequest(prefix, req, res) {
  if (config.quiet) return;
  const started = performance.now();
  res.on("close", () => {
    const outcome = res.writableFinished ? res.statusCode : "aborted";
    const ms = Math.round(performance.now() - started);
    console.log(`${new Date().toISOString()} ${prefix}${req.method} ${req.url} ${outcome} ${ms}ms`);
  });
}

function exitWith(message) {
  console.error(message);
  process.exit(1);
}

function origin(host, port) {
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function readConfig(env) {
  const port = (name, fallback) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      exitWith(`${name} must be a port number from 0 to 65535, got ${JSON.stringify(env[name])}`);
    }
    return value;
  };
  const shop = demoShop(env.DEMO_SHOP);
  if (!shop)
    exitWith(
      `DEMO_SHOP must be one of ${demoShops.map((s) => s.id).join(", ")} (or unset), got ${JSON.stringify(env.DEMO_SHOP)}`,
    );
  return {
    shop,
    port: port("PORT", 8788), // 0 picks a free port; the start line prints it
    controlPort: port("CONTROL_PORT", 8789), // 0 disables the control API
    host: env.HOST || "127.0.0.1",
    dataDir: resolve(env.DEMO_DATA_DIR || fileURLToPath(new URL(".data", import.meta.url))),
    replaySecret: env.REPLAY_SECRET || undefined,
    shopLabel: env.SHOP_LABEL || "primary",
    allowReset: env.DEMO_ALLOW_RESET === "1",
    quiet: env.DEMO_QUIET === "1",
  };
}
