// `npm run chaos`: the real worker in workerd with persisted state, the real
// demo shop behind a fault proxy, shoppers browsing and ordering throughout:
// healthy → latency → reset mid-body → 500s → hang → refused → flapping →
// recovered, with the worker SIGKILLed and restarted mid-outage and mid-drain.
// Throughout, a bot hammers one URL the shop itself is broken on: it must not
// close the shop while the origin is healthy. A poison order (one the shop
// always answers 500) sits in the queue across the recovery and must hold back
// no good order. The stayopen under test hosts two shops (registered through the
// platform API, each on its own *.localhost host): the one above, and a calm shop
// whose origin stays healthy throughout. The calm shop must never see the other's
// orders, a snapshot, a 503 or a 429 (DESIGN.md, "Many shops, one deployment").
// Ends with `chaos: N passed, M failed, K skipped`; exits 1 on any violation.
//
// CHAOS_SCALE (1) stretches or shrinks every phase; CHAOS_RUNTIME=wrangler runs
// the worker under `wrangler dev` instead of Miniflare; CHAOS_KEEP=1 keeps the temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { demoShop } from "../../demo/shops.mjs";
import { demoShopVars, demoVars } from "../../demo/stayopen-vars.mjs";
import { createChecks, expect } from "../lib/checks.mjs";
import { probeFeatures } from "../lib/features.mjs";
import { json, request } from "../lib/http.mjs";
import { resolveLocalhostNames } from "../lib/localhost-names.mjs";
import { registerShop } from "../lib/platform.mjs";
import {
  buildWorker,
  makeDataDir,
  removeDataDir,
  sleep,
  startShop,
  startWorkerHost,
  startWranglerDev,
} from "../lib/processes.mjs";
import { startFaultProxy } from "./fault-proxy.mjs";
import { SNAPSHOT_PAGES, UNSNAPSHOTTED_PAGES, calmShopper, startShoppers } from "./shoppers.mjs";

const SCALE = Number(process.env.CHAOS_SCALE ?? 1);
const SHOPPERS = 4;
const ADMIN_TOKEN = "chaos-admin-token-0123456789";
const REPLAY_SECRET = "whsec_Y2hhb3MtcmVwbGF5LXNlY3JldC0wMTIzNDU2Nzg5";
const ORIGIN_TIMEOUT_MS = 1000;
const BREAKER_COOLDOWN_MS = 2000;
const SHOP_NAME = "Chaos Coffee Co.";
const PLATFORM_TOKEN = "chaos-platform-token-0123456789abcdef";
/** The second shop: its own origin (the demo's Beta Tea House), healthy throughout, and its own secrets. */
const CALM = {
  id: "calm",
  profile: demoShop("beta"),
  secrets: {
    ADMIN_TOKEN: "calm-admin-token-0123456789",
    REPLAY_SECRET: "whsec_Y2FsbS1yZXBsYXktc2VjcmV0LTAxMjM0NTY3ODk=",
  },
  // Below the order rate the chaos shop's shoppers reach from the same address: were rate limits shared
  // between shops, the calm shop's few orders would be 429'd.
  config: { RATE_LIMIT_ORDERS_PER_MIN: "100", CRITICAL_PATHS: "/,/c/tea", SITEMAP_URL: "" },
};
const HARD_LIMIT_MS = 6 * 60_000;
const DRAIN_LIMIT_MS = 60_000;
const SNAPSHOT_SETTLE_MS = 1500;
/** The URL the demo shop is "broken" on (the fault proxy answers it 500), and the bot's bounds. */
const BROKEN_PATH = "/p/broken-by-bot";
const BOT_PAUSE_MS = 40;
const BOT_MAX_REQUESTS = 4000;

/**
 * Every good order queued during the outages is at the shop this long after recovery starts, or after the
 * worker killed mid-drain is back, whichever is later: poison order or not.
 */
const GOOD_DRAIN_MS = 10_000;
const POISON_ATTENTION_WAIT_MS = 45_000;
const ORDER_MAX_ATTEMPTS = 8;

const VARS = {
  ORIGIN_TIMEOUT_MS: String(ORIGIN_TIMEOUT_MS),
  BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
  BREAKER_FAILURES: "3",
  BREAKER_SYNC_MS: "250",
  PROBE_INTERVAL_MS: "500",
  PROBE_TIMEOUT_MS: "500",
  PROBE_HEALTHY_THRESHOLD: "2",
  SLOW_START_MS: "2000",
  ORDER_RETRY_BASE_MS: "1000",
  ORDER_RETRY_MAX_MS: "2000",
  ORDER_MAX_ATTEMPTS: String(ORDER_MAX_ATTEMPTS),
  CRITICAL_PATHS: "/,/c/coffee,/c/tea",
  SITEMAP_URL: "",
  SHOP_URL: "",
  SHOP_NAME,
  RETRY_AFTER_S: "30",
  // Every shopper here shares one loopback address; per-IP limits would turn the run into 429s.
  RATE_LIMIT_ORDERS_PER_MIN: "100000",
  RATE_LIMIT_CHECKOUT_PER_MIN: "100000",
};

const s = (ms) => Math.round(ms * SCALE);
const PHASES = [
  { name: "healthy", ms: s(12_000), fault: { mode: "pass" } },
  { name: "latency", ms: s(5_000), fault: { mode: "latency", latencyMs: 300 } },
  // While the breaker is closed: headers arrive, then the connection dies. Nothing can fall back once a
  // page started streaming; what matters is that no cut page becomes a snapshot and no order is doubled.
  { name: "reset-mid-body", ms: s(6_000), fault: { mode: "reset-mid-body" }, brokenBodies: true },
  { name: "500s", ms: s(16_000), fault: { mode: "status", status: 500 }, outage: true, killAtMs: s(8_000) },
  { name: "hang", ms: s(12_000), fault: { mode: "hang" }, outage: true },
  { name: "refused", ms: s(12_000), fault: { mode: "refuse" }, outage: true, plantPoison: true },
  { name: "flapping", ms: s(16_000), fault: { mode: "flap", periodMs: 2000 }, brokenBodies: true },
  { name: "recovered", ms: s(8_000), fault: { mode: "pass" }, recovery: true },
];

const t0 = Date.now();
const now = () => Date.now() - t0;
const say = (line) => console.log(`[${(now() / 1000).toFixed(1).padStart(6)} s] ${line}`);

// ---- what the shoppers saw -------------------------------------------------
const state = { phase: PHASES[0], phaseStartedAt: 0, restarts: [] };
const observations = [];
const violations = {
  snapshot5xx: [],
  sessionLeak: [],
  staleCart: [],
  staleCookie: [],
  noSource: [],
  badMaintenance: [],
  badStale: [],
  unexpectedError: [],
};
const crawledAt = new Map(); // path → first time the crawler saw it live from the origin
const servedStale = new Set();

function inRestartWindow(startedAt, endedAt) {
  return state.restarts.some((r) => startedAt <= (r.end ?? Infinity) + 500 && endedAt >= r.start);
}

function hadSnapshot(path, at) {
  return servedStale.has(path) || (crawledAt.has(path) && crawledAt.get(path) + SNAPSHOT_SETTLE_MS < at);
}

function sample(list, item) {
  if (list.length < 5) list.push(item);
  else list.push(null); // counted, not kept
}

function observe({ actor, path, kind, res, sessionBefore, sessionAfter }) {
  const at = now();
  const startedAt = at - res.ms;
  const source = res.headers.get("x-stayopen-source");
  const o = {
    at,
    phase: state.phase.name,
    actor,
    path,
    kind,
    status: res.status,
    source,
    ms: res.ms,
    error: res.error,
  };
  observations.push(o);
  const where = `${o.phase} ${actor} ${kind === "order" ? "POST " : ""}${path}`;

  if (res.status === 0) {
    if (!state.phase.brokenBodies && !inRestartWindow(startedAt, at))
      sample(violations.unexpectedError, `${where}: ${res.error}`);
    return;
  }
  if (!source) sample(violations.noSource, `${where}: ${res.status} without X-Stayopen-Source`);

  if (kind === "page") {
    if (actor === "crawler" && res.status === 200 && source === "origin" && !crawledAt.has(path))
      crawledAt.set(path, at);
    if (source === "stale") {
      servedStale.add(path);
      const cut = !/<\/html>\s*$/i.test(res.text);
      if (!res.text.includes("data-stayopen-banner") || !res.headers.has("age") || cut) {
        sample(violations.badStale, `${where}: stale page ${cut ? "truncated" : "without banner or Age"}`);
      }
      if (res.setCookies.length)
        sample(violations.staleCookie, `${where}: stale page sets ${res.setCookies[0].split(";")[0]}`);
      if (path === "/cart" || path === "/checkout")
        sample(violations.staleCart, `${where}: personal page served from a snapshot`);
    }
    if (res.status >= 500 && SNAPSHOT_PAGES.includes(path) && hadSnapshot(path, startedAt)) {
      sample(violations.snapshot5xx, `${where}: ${res.status} (${source}) although a snapshot existed`);
    }
    const shown = /data-session="([^"]*)"/.exec(res.text)?.[1];
    if (shown !== undefined && shown !== sessionAfter && shown !== sessionBefore) {
      sample(
        violations.sessionLeak,
        `${where}: page shows session ${shown.slice(0, 6)}…, shopper has ${String(sessionAfter).slice(0, 6)}…`,
      );
    }
  }
  if (source === "maintenance") {
    const problems = [];
    if (res.status !== 503) problems.push(`status ${res.status}`);
    if (!/^\d+$/.test(res.headers.get("retry-after") ?? "")) problems.push("no Retry-After");
    if (!/no-store/.test(res.headers.get("cache-control") ?? "")) problems.push("not no-store");
    if (kind === "page" && !res.text.includes(SHOP_NAME)) problems.push("not branded");
    if (kind === "order" && json(res.text)?.error !== "origin_unavailable")
      problems.push("JSON error body not origin_unavailable");
    if (problems.length) sample(violations.badMaintenance, `${where}: ${problems.join(", ")}`);
  }
}

// ---- origin health as the public status reports it --------------------------
const statusLog = [];
async function pollStatus(base, shouldStop) {
  while (!shouldStop()) {
    const res = await request(`${base}/__stayopen/status.json`, { timeoutMs: 2_000 });
    const body = res.status === 200 ? json(res.text) : undefined;
    statusLog.push({
      at: now(),
      origin: body?.origin ?? null,
      mode: body?.mode ?? null,
      queued: body?.queuedOrders ?? null,
    });
    await sleep(200);
  }
}

function firstAfter(list, from, to, test) {
  return list.find((x) => x.at >= from && x.at <= to && test(x));
}

// ---- the run ----------------------------------------------------------------
async function main() {
  const watchdog = setTimeout(() => {
    console.log(`chaos: hard time limit of ${HARD_LIMIT_MS / 1000} s reached`);
    console.log("chaos: 0 passed, 1 failed");
    process.exit(1);
  }, HARD_LIMIT_MS);
  watchdog.unref();

  const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-chaos-"));
  const dataDir = makeDataDir();
  const calmDataDir = makeDataDir();
  let demo;
  let calmOrigin;
  let proxy;
  let worker;
  const checks = createChecks("chaos");
  try {
    demo = await startShop({ dataDir, env: { REPLAY_SECRET } });
    calmOrigin = await startShop({
      dataDir: calmDataDir,
      env: { DEMO_SHOP: CALM.profile.id, REPLAY_SECRET: CALM.secrets.REPLAY_SECRET },
    });
    proxy = await startFaultProxy({ target: demo.shop, brokenPaths: [BROKEN_PATH] });
    // The shops' settings come through the platform API; the deployment itself only has its platform token.
    const vars = { PLATFORM_TOKEN };
    if (process.env.CHAOS_RUNTIME === "wrangler") {
      worker = await startWranglerDev({ persistDir: join(tmp, "state"), vars, logFile: join(tmp, "worker.log") });
    } else {
      say("building the worker (wrangler deploy --dry-run)");
      const bundle = await buildWorker(join(tmp, "build"));
      worker = await startWorkerHost({
        workers: [{ name: "stayopen", scriptPath: bundle, fromConfig: true, vars }],
        persistDir: join(tmp, "state"),
        logFile: join(tmp, "worker.log"),
      });
    }
    resolveLocalhostNames();
    const port = new URL(worker.urls.stayopen).port;
    const base = `http://chaos.localhost:${port}`;
    const calmBase = `http://${CALM.id}.localhost:${port}`;
    await registerShop(worker.urls.stayopen, PLATFORM_TOKEN, "chaos", {
      hosts: ["chaos.localhost"],
      config: { ...demoVars, ...VARS, ORIGIN_URL: proxy.url },
      secrets: { ADMIN_TOKEN, REPLAY_SECRET },
    });
    await registerShop(worker.urls.stayopen, PLATFORM_TOKEN, CALM.id, {
      hosts: [`${CALM.id}.localhost`],
      config: { ...demoShopVars(CALM.profile, { originUrl: calmOrigin.shop, shopUrl: calmBase }), ...CALM.config },
      secrets: CALM.secrets,
    });
    const features = await probeFeatures(base, ADMIN_TOKEN);
    say(`stack up: demo ${demo.shop} ← fault proxy ${proxy.url} ← stayopen ${base} (state in ${tmp})`);
    say(`second shop: ${calmBase} ← its own healthy origin ${calmOrigin.shop}`);
    if (features.pending().length) say(`not built yet: ${features.pending().join(", ")}`);

    const orders = [];
    let stopShoppers = false;
    let stopPolling = false;
    const shoppers = startShoppers({ base, count: SHOPPERS, observe, orders, shouldStop: () => stopShoppers });
    const poller = pollStatus(base, () => stopPolling);
    const bot = hammer(base, () => stopShoppers);
    const calm = calmShopper({ base: calmBase, observe: observeCalm, shouldStop: () => stopShoppers });

    async function crashAndRestart(label) {
      const restart = { label, start: now() };
      state.restarts.push(restart);
      say(`SIGKILL worker (${label})`);
      await worker.kill9();
      await sleep(500);
      await worker.restart();
      restart.end = now();
      say(`worker restarted after ${restart.end - restart.start} ms`);
    }

    let deliveredBeforeRecovery = 0;
    let midDrain = null;
    let poison = null;
    for (const phase of PHASES) {
      state.phase = phase;
      state.phaseStartedAt = now();
      phase.startedAt = state.phaseStartedAt;
      await proxy.setMode(phase.fault);
      say(`phase ${phase.name} (${phase.ms / 1000} s): fault proxy ${JSON.stringify(phase.fault)}`);
      if (phase.plantPoison) poison = await plantPoison(base);
      if (phase.recovery) {
        deliveredBeforeRecovery = (await demoOrders(demo)).length;
        midDrain = await killMidDrain({
          demo,
          deliveredBeforeRecovery,
          features,
          base,
          crashAndRestart,
          budgetMs: phase.ms,
        });
        // Shoppers keep browsing the restarted worker long enough to see live pages again.
        phase.ms = Math.max(phase.ms, now() - phase.startedAt + Math.max(5_000, s(6_000)));
      } else if (phase.killAtMs) {
        await sleep(phase.killAtMs);
        await crashAndRestart(`mid-outage, ${phase.name}`);
        // The restarted worker must still face the outage for a while.
        phase.ms = Math.max(phase.ms, now() - phase.startedAt + s(4_000));
      }
      const left = phase.startedAt + phase.ms - now();
      if (left > 0) await sleep(left);
      phase.endedAt = now();
    }
    stopShoppers = true;
    await Promise.all([shoppers, bot, calm]);
    say("shoppers stopped; waiting for every accepted order to reach the shop");
    const accepted = orders.filter((o) => o.accepted);
    const delivered = await waitForDelivery(demo, accepted);
    stopPolling = true;
    await poller;

    // ---- verdicts -------------------------------------------------------------
    console.log("\nchaos checks");
    const healthy = PHASES[0];
    const live = observations.filter((o) => o.phase === "healthy" && o.actor === "crawler");
    checks.record(
      "healthy origin: catalog pages come live from the origin",
      live.length > 0 && live.every((o) => o.status === 200 && o.source === "origin"),
      `${live.length} crawler pages in ${healthy.ms / 1000} s`,
    );
    checkBotDidNotCloseShop(checks);
    const outagePageRequests = observations.filter(
      (o) => o.kind === "page" && SNAPSHOT_PAGES.includes(o.path) && PHASES.find((p) => p.name === o.phase)?.outage,
    );
    checks.record(
      "5xx served for pages that had a snapshot = 0",
      violations.snapshot5xx.length === 0,
      describe(violations.snapshot5xx, `${outagePageRequests.length} requests for snapshotted pages during outages`),
    );
    checks.record(
      "pages served with another shopper's session = 0",
      violations.sessionLeak.length === 0,
      describe(violations.sessionLeak, `${observations.filter((o) => o.path === "/cart").length} cart views`),
    );
    checks.record(
      "cart never served from a snapshot",
      violations.staleCart.length === 0,
      describe(violations.staleCart),
    );
    checks.record("no stale page sets a cookie", violations.staleCookie.length === 0, describe(violations.staleCookie));
    checks.record(
      "stale pages are complete, with banner and Age",
      violations.badStale.length === 0 && servedStale.size > 0,
      describe(violations.badStale, `${observations.filter((o) => o.source === "stale").length} stale pages`),
    );
    checks.record(
      "every response has X-Stayopen-Source",
      violations.noSource.length === 0,
      describe(violations.noSource),
    );
    const maintenancePages = observations.filter(
      (o) => o.source === "maintenance" && UNSNAPSHOTTED_PAGES.includes(o.path),
    );
    checks.record(
      "branded 503 (Retry-After, no-store) for pages without snapshot",
      violations.badMaintenance.length === 0 && maintenancePages.length > 0,
      describe(violations.badMaintenance, `${maintenancePages.length} maintenance pages seen`),
    );
    checks.record(
      "no network errors outside worker restarts and broken-body phases",
      violations.unexpectedError.length === 0,
      describe(
        violations.unexpectedError,
        `${observations.filter((o) => o.status === 0).length} network errors in total, all expected`,
      ),
    );

    const crash = state.restarts[0];
    const staleAfterCrash = observations.some(
      (o) => o.source === "stale" && o.at > (crash?.end ?? Infinity) && o.at - o.ms >= crash.end,
    );
    checks.record(
      "snapshots survive a worker crash mid-outage",
      staleAfterCrash,
      crash ? `restart took ${crash.end - crash.start} ms` : "no crash happened",
    );

    const timings = outageTimings();
    for (const t of timings) {
      checks.record(
        `time-to-detect (${t.phase}): fallback within ORIGIN_TIMEOUT_MS + 2 s`,
        Number.isFinite(t.fallbackMs) && t.fallbackMs <= ORIGIN_TIMEOUT_MS + 2000,
        `first fallback page after ${fmt(t.fallbackMs)}, status "down" after ${fmt(t.downMs)}`,
      );
    }
    const hang = PHASES.find((p) => p.name === "hang");
    const hangDown = firstAfter(statusLog, hang.startedAt, hang.endedAt, (x) => x.origin === "down");
    const waited = observations.filter(
      (o) => o.phase === "hang" && hangDown && o.at - o.ms > hangDown.at && o.ms >= ORIGIN_TIMEOUT_MS * 0.9,
    );
    checks.record(
      "hang: once the breaker is open no shopper waits ORIGIN_TIMEOUT_MS",
      Boolean(hangDown) && waited.length === 0,
      hangDown
        ? `${waited.length} requests waited ≥ ${ORIGIN_TIMEOUT_MS * 0.9} ms after the breaker opened${
            waited.length
              ? ` (${waited
                  .slice(0, 3)
                  .map((o) => `${o.path} ${Math.round(o.ms)} ms`)
                  .join(", ")})`
              : ""
          }`
        : "status never said down",
    );
    const recovery = recoveryTiming();
    checks.record(
      "time-to-recover: live pages again within cooldown + 10 s",
      Number.isFinite(recovery.liveMs) && recovery.liveMs <= BREAKER_COOLDOWN_MS + 10_000,
      `first live page after ${fmt(recovery.liveMs)}, status "up" after ${fmt(recovery.upMs)}`,
    );

    // Orders: matched by the chaosId inside each body, whichever Idempotency-Key reached the shop.
    const byChaosId = new Map();
    for (const order of delivered) {
      const id = order.body?.chaosId;
      if (id) byChaosId.set(id, (byChaosId.get(id) ?? 0) + 1);
    }
    const lost = accepted.filter((o) => !byChaosId.has(o.chaosId));
    const duplicated = [...byChaosId].filter(([, count]) => count > 1);
    const unacknowledged = [...byChaosId.keys()].filter((id) => !accepted.some((o) => o.chaosId === id));
    const queuedRefs = accepted.flatMap((o) => [...o.references]);
    checks.record(
      "orders lost = 0",
      lost.length === 0 && accepted.length > 0,
      `${accepted.length} accepted, ${lost.length} lost${
        lost.length
          ? `: ${lost
              .slice(0, 3)
              .map((o) => o.chaosId)
              .join(", ")}`
          : ""
      }`,
    );
    checks.record(
      "orders duplicated in effect = 0",
      duplicated.length === 0,
      `${delivered.length} orders at the shop, ${duplicated.length} duplicated${
        duplicated.length
          ? `: ${duplicated
              .slice(0, 3)
              .map(([id, n]) => `${id}×${n}`)
              .join(", ")}`
          : ""
      }`,
    );

    await checks.check("orders placed while the origin is down are queued (202)", async () => {
      features.require("orders");
      const refused = orders.flatMap((o) => o.attempts).filter((a) => a.status >= 500);
      const queued = orders.flatMap((o) => o.attempts).filter((a) => a.status === 202);
      expect(queued.length > 0, "no order was answered 202 during the outages");
      expect(refused.length === 0, `${refused.length} order attempts got a 5xx instead of being queued`);
      return `${queued.length} answered 202`;
    });
    await checks.check("a double-submitted order gets the same reference", async () => {
      features.require("orders");
      const doubled = accepted.filter((o) => o.duplicateSent && o.references.size > 0);
      const split = doubled.filter((o) => o.references.size > 1);
      expect(split.length === 0, `${split.length} double submits got two references`);
      return `${doubled.length} double submits while queued`;
    });
    await checks.check("worker killed mid-drain: every queued order still delivered once", async () => {
      features.require("orders");
      expect(midDrain?.killed, midDrain?.reason ?? "the drain never started");
      expect(lost.length === 0 && duplicated.length === 0, "orders were lost or duplicated");
      return `killed with ${midDrain.deliveredAtKill - deliveredBeforeRecovery} replayed, ${midDrain.queuedAtKill ?? "?"} still queued`;
    });
    await checks.check("a poison order (the shop always answers 500) is queued and never delivered", async () => {
      features.require("orders");
      expect(poison?.status === 202, `the poison order was answered ${poison?.status}, not queued`);
      const taken = delivered.filter((o) => o.body?.poisonId === poison.poisonId);
      expect(taken.length === 0, "the shop took the poison order");
      return `queued as ${poison.reference.slice(0, 10)}…`;
    });
    await checks.check("no good order is held back by the poison order", async () => {
      features.require("orders");
      const recovery = PHASES.find((p) => p.recovery).startedAt;
      const backAt = Math.max(recovery, ...state.restarts.filter((r) => r.start >= recovery).map((r) => r.end ?? 0));
      const recoveredAt = t0 + backAt;
      const replayed = delivered.filter((o) => o.replayed && o.body?.chaosId);
      expect(replayed.length > 0, "no queued good order was replayed");
      const lastMs = Math.max(...replayed.map((o) => Date.parse(o.receivedAt) - recoveredAt));
      expect(lost.length === 0, `${lost.length} good orders never reached the shop`);
      expect(
        lastMs <= GOOD_DRAIN_MS,
        `the last of ${replayed.length} replayed good orders arrived ${fmt(lastMs)} after recovery and restart`,
      );
      return `${replayed.length} replayed good orders, the last ${fmt(lastMs)} after recovery and restart (bound ${fmt(GOOD_DRAIN_MS)})`;
    });
    await checks.check("the poison order ends as needs_attention with the shop's answer", async () => {
      features.require("orders");
      const stopped = await waitForAttention(base, poison?.reference);
      expect(stopped, `still not needs_attention ${fmt(POISON_ATTENTION_WAIT_MS)} after the drain`);
      expect(stopped.lastAnswer?.status === 500, `last answer ${JSON.stringify(stopped.lastAnswer)}`);
      const shown = json(
        (await request(`${base}/__stayopen/orders/${poison.reference}`, { headers: { accept: "application/json" } }))
          .text,
      );
      expect(shown?.status === "needs_attention", `the shopper's status page says ${shown?.status}`);
      return `after ${stopped.attempts} attempts (ORDER_MAX_ATTEMPTS ${ORDER_MAX_ATTEMPTS}), last answer ${stopped.lastAnswer.status}`;
    });
    await checks.check("order status pages say delivered", async () => {
      features.require("orders");
      const states = {};
      for (const reference of queuedRefs.slice(0, 40)) {
        const res = await request(`${base}/__stayopen/orders/${reference}`, {
          headers: { accept: "application/json" },
        });
        const st = json(res.text)?.state ?? json(res.text)?.status ?? `HTTP ${res.status}`;
        states[st] = (states[st] ?? 0) + 1;
      }
      const notDelivered = Object.entries(states).filter(([st]) => st !== "delivered");
      expect(notDelivered.length === 0, `states: ${JSON.stringify(states)}`);
      return `${queuedRefs.slice(0, 40).length} references checked`;
    });

    await checkCalmShop(checks, { demo, calmOrigin });

    printSummary({ orders, accepted, delivered, lost, duplicated, unacknowledged, timings, recovery });
  } catch (error) {
    checks.record("chaos run completed", false, error.stack ?? String(error));
  } finally {
    await worker?.stop().catch(() => {});
    await proxy?.close().catch(() => {});
    await demo?.stop().catch(() => {});
    await calmOrigin?.stop().catch(() => {});
    if (process.env.CHAOS_KEEP === "1") console.log(`chaos: kept ${tmp}, ${dataDir} and ${calmDataDir}`);
    else {
      rmSync(tmp, { recursive: true, force: true });
      removeDataDir(dataDir);
      removeDataDir(calmDataDir);
    }
  }
  process.exitCode = checks.finish();
}

// ---- the second shop, healthy throughout ------------------------------------
const calmSeen = {
  answers: 0,
  notOrigin: [],
  status5xx: [],
  limited: [],
  networkErrors: [],
  ordersAccepted: new Set(),
};

function observeCalm({ kind, path, res, calmId }) {
  const at = now();
  const where = `${state.phase.name} ${kind === "order" ? "POST " : ""}${path}`;
  if (res.status === 0) {
    if (!inRestartWindow(at - res.ms, at)) sample(calmSeen.networkErrors, `${where}: ${res.error}`);
    return;
  }
  calmSeen.answers += 1;
  const source = res.headers.get("x-stayopen-source");
  if (source !== "origin") sample(calmSeen.notOrigin, `${where}: ${res.status} from ${source}`);
  if (res.status >= 500) sample(calmSeen.status5xx, `${where}: ${res.status} (${source})`);
  if (res.status === 429) sample(calmSeen.limited, `${where}: 429`);
  if (kind === "order" && (res.status === 200 || res.status === 201)) calmSeen.ordersAccepted.add(calmId);
}

/** The calm shop through the whole run: only its own orders, each once; only live pages; never a 503 or 429. */
async function checkCalmShop(checks, { demo, calmOrigin }) {
  const calmOrders = await demoOrders(calmOrigin);
  const foreign = calmOrders.filter((o) => !o.body?.calmId);
  const calmIds = calmOrders.map((o) => o.body?.calmId).filter(Boolean);
  const doubled = calmIds.filter((id, i) => calmIds.indexOf(id) !== i);
  const missing = [...calmSeen.ordersAccepted].filter((id) => !calmIds.includes(id));
  const strays = (await demoOrders(demo)).filter((o) => o.body?.calmId);
  checks.record(
    "second shop: its origin saw only its own orders, each once; the first shop's saw none of them",
    calmSeen.ordersAccepted.size > 0 && foreign.length + doubled.length + missing.length + strays.length === 0,
    `${calmOrders.length} orders at its origin (${calmSeen.ordersAccepted.size} accepted): ${foreign.length} of another shop` +
      `${foreign.length ? ` (e.g. ${JSON.stringify(foreign[0].body).slice(0, 120)})` : ""}, ${doubled.length} doubled, ` +
      `${missing.length} missing; ${strays.length} of its orders at the first shop's origin`,
  );
  checks.record(
    "second shop: every answer live from its own origin, never a snapshot or maintenance page",
    calmSeen.answers > 50 && calmSeen.notOrigin.length === 0,
    describe(calmSeen.notOrigin, `${calmSeen.answers} answers, all from its origin`),
  );
  checks.record("second shop: never a 5xx", calmSeen.status5xx.length === 0, describe(calmSeen.status5xx));
  checks.record(
    "second shop: never rate-limited (429) by the first shop's traffic",
    calmSeen.limited.length === 0,
    describe(calmSeen.limited, `RATE_LIMIT_ORDERS_PER_MIN ${CALM.config.RATE_LIMIT_ORDERS_PER_MIN}`),
  );
  checks.record(
    "second shop: no network errors outside worker restarts",
    calmSeen.networkErrors.length === 0,
    describe(calmSeen.networkErrors),
  );
}

// ---- a bot hammering one broken URL -----------------------------------------
const botAnswers = [];

/** One client, one URL the shop answers 500, as fast as it gets answers (bounded in count and by the run). */
async function hammer(base, shouldStop) {
  while (!shouldStop() && botAnswers.length < BOT_MAX_REQUESTS) {
    const res = await request(base + BROKEN_PATH, { headers: { accept: "text/html" }, timeoutMs: 5_000 });
    botAnswers.push({
      at: now(),
      phase: state.phase.name,
      status: res.status,
      source: res.headers.get("x-stayopen-source"),
    });
    await sleep(BOT_PAUSE_MS);
  }
}

/**
 * While the origin is healthy (before the first fault, and with added latency
 * below the timeout), the bot's URL gets its own 503 and nothing else changes:
 * every other page comes from the origin and the public status says up.
 */
function checkBotDidNotCloseShop(checks) {
  const healthyPhases = new Set(["healthy", "latency"]);
  const botHealthy = botAnswers.filter((a) => healthyPhases.has(a.phase));
  const botOwn503 = botHealthy.filter((a) => a.status === 503 && ["maintenance", "stale"].includes(a.source));
  const pages = observations.filter((o) => healthyPhases.has(o.phase) && o.kind === "page" && o.status !== 0);
  const notOrigin = pages.filter((o) => o.source !== "origin");
  const window = PHASES.filter((p) => healthyPhases.has(p.name));
  const from = Math.min(...window.map((p) => p.startedAt));
  const to = Math.max(...window.map((p) => p.endedAt));
  const statuses = statusLog.filter((x) => x.at >= from && x.at <= to && x.origin !== null);
  const notUp = statuses.filter((x) => x.origin !== "up");
  checks.record(
    "a bot hammering one broken URL does not close the shop while the origin is healthy",
    botHealthy.length >= 50 && botOwn503.length === botHealthy.length && notOrigin.length === 0 && notUp.length === 0,
    `${botHealthy.length} bot requests (${botOwn503.length} got their own 503), ${pages.length} other pages` +
      ` (${notOrigin.length} not from the origin${
        notOrigin.length
          ? `, e.g. ${notOrigin
              .slice(0, 3)
              .map((o) => `${o.path} ${o.source}`)
              .join(", ")}`
          : ""
      })` +
      `, status not "up" ${notUp.length} of ${statuses.length} times`,
  );
}

/** An order the demo shop answers 500 every time, sent through stayopen while the origin is down. */
async function plantPoison(base) {
  // No long digit run: it could look like a card number, which the edge refuses (422).
  const poisonId = `poison-${Date.now().toString(36)}`;
  const res = await request(`${base}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", "idempotency-key": poisonId },
    body: JSON.stringify({ items: [{ sku: "POISON", qty: 1 }], alwaysFail: true, poisonId }),
  });
  const reference = json(res.text)?.reference ?? null;
  say(`poison order planted: ${res.status} ${reference ? `${reference.slice(0, 10)}…` : res.text.slice(0, 200)}`);
  return { poisonId, status: res.status, reference };
}

/** The poison order once the queue has set it aside (bounded), else null. */
async function waitForAttention(base, reference) {
  if (!reference) return null;
  const deadline = Date.now() + POISON_ATTENTION_WAIT_MS;
  while (Date.now() < deadline) {
    const res = await request(`${base}/__stayopen/admin/orders?state=needs_attention&limit=500`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const found = json(res.text)?.orders?.find((o) => o.reference === reference);
    if (found) return found;
    await sleep(1_000);
  }
  return null;
}

async function demoOrders(demo) {
  const res = await request(`${demo.shop}/api/orders`, { headers: { accept: "application/json" } });
  return json(res.text)?.orders ?? [];
}

/** Waits (bounded) for the first replayed order to arrive, then crashes the worker while the queue drains. */
async function killMidDrain({ demo, deliveredBeforeRecovery, features, base, crashAndRestart, budgetMs }) {
  if (!features.has("orders")) {
    await sleep(Math.min(2000, budgetMs / 2));
    await crashAndRestart("recovery (no order queue yet)");
    return { killed: false, reason: "order queue not built" };
  }
  const deadline = Date.now() + Math.min(15_000, budgetMs);
  while (Date.now() < deadline) {
    const count = (await demoOrders(demo)).filter((o) => o.replayed).length;
    if (count > 0) {
      const status = json((await request(`${base}/__stayopen/status.json`)).text);
      await crashAndRestart("mid-drain");
      return { killed: true, deliveredAtKill: deliveredBeforeRecovery + count, queuedAtKill: status?.queuedOrders };
    }
    await sleep(100);
  }
  return { killed: false, reason: "no replayed order reached the shop within 15 s of recovery" };
}

async function waitForDelivery(demo, accepted) {
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  for (;;) {
    const delivered = await demoOrders(demo);
    const ids = new Set(delivered.map((o) => o.body?.chaosId));
    const missing = accepted.filter((o) => !ids.has(o.chaosId)).length;
    if (missing === 0 || Date.now() > deadline) {
      say(
        missing === 0
          ? `all ${accepted.length} accepted orders are at the shop`
          : `gave up waiting: ${missing} accepted orders missing`,
      );
      return delivered;
    }
    await sleep(500);
  }
}

function outageTimings() {
  return PHASES.filter((p) => p.outage).map((p) => {
    const fallback = firstAfter(
      observations,
      p.startedAt,
      p.endedAt,
      (o) => o.kind === "page" && ["stale", "maintenance"].includes(o.source) && o.at - o.ms >= p.startedAt,
    );
    const fallbackStart = fallback ? fallback.at - p.startedAt : NaN;
    const down = firstAfter(statusLog, p.startedAt, p.endedAt, (x) => x.origin === "down");
    const before = statusLog.filter((x) => x.at < p.startedAt).at(-1);
    return {
      phase: p.name,
      fallbackMs: fallbackStart,
      downMs: down ? down.at - p.startedAt : NaN,
      alreadyDown: before?.origin === "down",
    };
  });
}

function recoveryTiming() {
  const p = PHASES.find((x) => x.recovery);
  const live = firstAfter(
    observations,
    p.startedAt,
    Infinity,
    (o) => o.kind === "page" && o.source === "origin" && SNAPSHOT_PAGES.includes(o.path),
  );
  const up = firstAfter(statusLog, p.startedAt, Infinity, (x) => x.origin === "up");
  return { liveMs: live ? live.at - p.startedAt : NaN, upMs: up ? up.at - p.startedAt : NaN };
}

const fmt = (ms) => (Number.isFinite(ms) ? `${Math.round(ms).toLocaleString("en-US")} ms` : "never");

function describe(list, otherwise = "") {
  if (!list.length) return otherwise;
  const shown = list.filter(Boolean);
  return `${list.length} violations, e.g. ${shown.slice(0, 3).join(" | ")}`;
}

function printSummary({ orders, accepted, delivered, lost, duplicated, unacknowledged, timings, recovery }) {
  console.log("\nchaos summary");
  console.log("  phase            requests  origin  stale  maint  other  5xx  net-err");
  for (const p of PHASES) {
    const os = observations.filter((o) => o.phase === p.name);
    const count = (test) => os.filter(test).length;
    const row = [
      p.name.padEnd(15),
      String(os.length).padStart(9),
      String(count((o) => o.source === "origin")).padStart(7),
      String(count((o) => o.source === "stale")).padStart(6),
      String(count((o) => o.source === "maintenance")).padStart(6),
      String(count((o) => o.status && !["origin", "stale", "maintenance"].includes(o.source))).padStart(6),
      String(count((o) => o.status >= 500)).padStart(4),
      String(count((o) => o.status === 0)).padStart(8),
    ];
    console.log(`  ${row.join(" ")}`);
  }
  const statuses = {};
  for (const a of orders.flatMap((o) => o.attempts))
    statuses[a.status || "net-err"] = (statuses[a.status || "net-err"] ?? 0) + 1;
  console.log(
    `  orders: ${orders.length} placed, ${accepted.length} accepted, ${delivered.length} at the shop, duplicated ${duplicated.length}, lost ${lost.length}` +
      `, delivered without an answer to the shopper ${unacknowledged.length}; answers ${JSON.stringify(statuses)}`,
  );
  const detect = (t) =>
    `${t.phase} fallback ${fmt(t.fallbackMs)} / status down ${fmt(t.downMs)}${t.alreadyDown ? " (breaker already open from the phase before)" : ""}`;
  console.log(`  time-to-detect: ${timings.map(detect).join("; ")}`);
  console.log(`  time-to-recover: first live page ${fmt(recovery.liveMs)}, status up ${fmt(recovery.upMs)}`);
  console.log(`  worker restarts: ${state.restarts.map((r) => `${r.label} (${r.end - r.start} ms)`).join(", ")}\n`);
}

await main();
