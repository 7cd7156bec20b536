// `npm run bench:shops`: the healthy path of one of 1,000 registered shops
// against the single-shop path (issue 16), in one workerd through Miniflare's
// Node API (direct sockets, never `wrangler dev`), beside the bare
// pass-through worker, all against one fast local origin:
//   single    stayopen without PLATFORM_TOKEN: single-shop mode, as today
//   many      the same bundle with PLATFORM_TOKEN and BENCH_SHOPS shops registered (distinct hosts,
//             the configuration an operator would send), loaded on one shop's host ("one") and
//             rotated over every registered host ("rotation")
//   bare      bench/bare-worker.js, fetch(origin + path) and nothing else
// plus, in a bench-only worker bound to the same registry object (bench/registry-worker.js, never
// deployed): the lookup every request makes, timed in a loop, and a registry refresh (1,000 shops)
// after the version changed. Memory: the `many` isolate's heap and workerd's RSS before and after
// the shops are registered and loaded. Loopback only; every load is bounded in time or count.
//
// Environment: BENCH_SHOPS (1000), BENCH_DURATION_S (3 per round), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (32), BENCH_LOOKUPS (200000), BENCH_PIN (1: workerd on CPU 1, the rest on CPU 0),
// BENCH_PROFILE (1: CPU profile of single and many; always taken when the target is missed).
// Writes bench/results/shops-<date>.{md,json} and shops-latest.{md,json}; a run with another shop
// count writes artifacts/bench/shops-partial.{md,json} instead.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { demoVars } from "../demo/stayopen-vars.mjs";
import { json, request } from "../scripts/lib/http.mjs";
import { projectRoot } from "../scripts/lib/paths.mjs";
import { buildWorker, openInspector, residentMiB, sleep, startWorkerHost } from "../scripts/lib/processes.mjs";
import { buildBenchWorker } from "./lib/build.mjs";
import { requestAs } from "./lib/host-request.mjs";
import { load, mergeRounds } from "./lib/load.mjs";
import { cpuSeconds, machineFacts } from "./lib/machine.mjs";
import { startBenchOrigin } from "./lib/origin.mjs";
import { shopsReport } from "./lib/shops-report.mjs";

const FULL_SHOPS = 1000;
const SHOPS = Number(process.env.BENCH_SHOPS ?? FULL_SHOPS);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LIGHT_CONNECTIONS = 4;
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 200_000);
const PIN = process.env.BENCH_PIN !== "0" && os.cpus().length >= 2 && spawnSync("taskset", ["-V"]).status === 0;
const PROFILE = process.env.BENCH_PROFILE === "1";
const TARGET_RATIO = 0.95;
const PLATFORM_TOKEN = "bench-platform-token-0123456789abcdef";
const PATHS = ["/p/1", "/p/2", "/p/3", "/p/4", "/p/5", "/p/6", "/p/7", "/p/8"];
const REGISTER_LIMIT_MS = 600_000;
const REPEATS = 5;

const shopId = (i) => `shop-${String(i).padStart(4, "0")}`;
const hostOfShop = (i) => `${shopId(i)}.bench.example`;
/** The shop whose host the "one" load uses: from the middle of the registry, not its first row. */
const MEASURED = Math.floor(SHOPS / 2);

/** What the single-shop worker runs with (besides the demo shop's vars every from-config worker gets). */
const benchVars = (originUrl) => ({
  ORIGIN_URL: originUrl,
  ORIGIN_TIMEOUT_MS: "3000",
  BREAKER_COOLDOWN_MS: "10000",
  CRITICAL_PATHS: PATHS.join(","),
});

/**
 * Shop i as an operator registers it: the single-shop worker's settings (so the measured shop does
 * exactly what single-shop mode does), its own hosts, branding and contact, its own admin token and
 * replay secret, and for every fourth shop card payments (two more secrets).
 */
function shopBody(i, originUrl) {
  const host = hostOfShop(i);
  const colour = `#${((i * 2654435761) >>> 8).toString(16).padStart(6, "0").slice(-6)}`;
  const secretBytes = Buffer.from(`bench-replay-key-of-${shopId(i)}`).subarray(0, 24);
  return {
    id: shopId(i),
    hosts: [host, `www.${host}`],
    config: {
      ...demoVars,
      ...benchVars(originUrl),
      SHOP_NAME: `Outlet ${i} of the bench`,
      BRAND_COLOR: colour,
      SUPPORT_EMAIL: `help@${host}`,
      LOGO_URL: `https://${host}/logo.svg`,
      SHOP_URL: `https://${host}`,
    },
    secrets: {
      ADMIN_TOKEN: `bench-admin-token-of-${shopId(i)}`,
      REPLAY_SECRET: `whsec_${secretBytes.toString("base64")}`,
      ...(i % 4 === 0
        ? {
            STRIPE_SECRET_KEY: `rk_test_bench${shopId(i)}0123456789abcdef`,
            STRIPE_WEBHOOK_SECRET: `whsec_${Buffer.from(`stripe-${shopId(i)}-0123456789`).toString("base64")}`,
          }
        : {}),
    },
  };
}

/** Catalog GETs cycling through the pages, all for one host or cycling through many. */
function catalogRequests(hosts) {
  let n = 0;
  return [
    {
      method: "GET",
      path: PATHS[0],
      headers: { accept: "text/html" },
      setupRequest: (req) => {
        n += 1;
        return { ...req, path: PATHS[n % PATHS.length], headers: { ...req.headers, host: hosts[n % hosts.length] } };
      },
    },
  ];
}

/** One bounded load, with workerd's CPU seconds over it (every thread; only this load runs meanwhile). */
async function measured(host, options) {
  const pid = host.workerdPid();
  const cpuBefore = cpuSeconds(pid);
  const result = await load(options);
  const cpuS = cpuSeconds(pid) - cpuBefore;
  return { ...result, cpuS, cpuUsPerRequest: (cpuS * 1e6) / result.requests };
}

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
};

/** The rounds merged, with each round's rps and workerd's CPU per request over all of them. */
function summarize(runs) {
  const merged = mergeRounds(runs);
  const cpuS = runs.reduce((sum, r) => sum + r.cpuS, 0);
  return { ...merged, rounds: runs.map((r) => r.rps), cpuUsPerRequest: (cpuS * 1e6) / merged.requests };
}

/**
 * Registers the shops as an operator would: `PUT /__stayopen/platform/shops/<id>` with the platform
 * token. Where that API is not built yet (404 for a valid body), the registry object's RPC `put`,
 * called by the bench-only worker, stores the same bodies.
 */
async function registerShops(urls, originUrl) {
  const started = performance.now();
  const first = shopBody(0, originUrl);
  const probe = await putThroughApi(urls.many, first);
  const viaApi = probe.status === 200 || probe.status === 201;
  if (!viaApi && probe.status !== 404) throw new Error(`PUT ${first.id}: ${probe.status} ${probe.text.slice(0, 300)}`);
  const slowest = { ms: probe.ms, id: first.id };
  for (let i = viaApi ? 1 : 0; i < SHOPS;) {
    if (performance.now() - started > REGISTER_LIMIT_MS)
      throw new Error(`registering ${SHOPS} shops took over ${REGISTER_LIMIT_MS} ms`);
    if (viaApi) {
      const body = shopBody(i, originUrl);
      const res = await putThroughApi(urls.many, body);
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`PUT ${body.id}: ${res.status} ${res.text.slice(0, 300)}`);
      if (res.ms > slowest.ms) [slowest.ms, slowest.id] = [res.ms, body.id];
      i += 1;
    } else {
      const batch = [];
      for (; i < SHOPS && batch.length < 100; i++) batch.push(shopBody(i, originUrl));
      const res = await request(`${urls.registryBench}/register`, {
        method: "POST",
        body: JSON.stringify(batch),
        timeoutMs: 120_000,
      });
      const failed = json(res.text)?.failed;
      if (res.status !== 200 || failed?.length)
        throw new Error(`registering through RPC: ${res.status} ${res.text.slice(0, 300)}`);
    }
  }
  return {
    via: viaApi
      ? "platform API (PUT /__stayopen/platform/shops/<id>)"
      : "the registry object's RPC put (platform API not built yet)",
    viaApi,
    seconds: (performance.now() - started) / 1000,
    slowestPutMs: viaApi ? slowest.ms : undefined,
  };
}

function putThroughApi(base, { id, ...body }) {
  return request(`${base}/__stayopen/platform/shops/${id}`, {
    method: "PUT",
    headers: {
      authorization: `Bearer ${PLATFORM_TOKEN}`,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify(body),
    timeoutMs: 60_000,
  });
}

/**
 * Until the worker's isolate has the shops: at once after the platform API, within 10 s after the
 * RPC (the isolate's copy is fresh for 5 s, then refreshed). A host no shop has is 404 from then on.
 */
async function untilServed(base, shopHost) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const unknown = await requestAs(`${base}${PATHS[0]}`, "nobody.bench.example");
    const known = await requestAs(`${base}${PATHS[0]}`, shopHost);
    if (unknown.status === 404 && known.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(
        `20 s after registering, an unknown host answers ${unknown.status} and ${shopHost} ${known.status}`,
      );
    await sleep(500);
  }
}

/** The isolate's heap (after GC requests) and workerd's RSS, in MiB. */
async function memory(host, name) {
  return { heapMiB: await host.heapUsedMiB(name), rssMiB: residentMiB(host.workerdPid()) };
}

/** A bench-only worker call, timed from here too. */
async function timedCall(url) {
  const res = await requestAs(url, "registry-bench.localhost", { timeoutMs: 120_000 });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.text.slice(0, 300)}`);
  return { ms: res.ms, body: json(res.text) };
}

/**
 * Nanoseconds per lookup, medians of REPEATS loops of LOOKUPS: timed inside the isolate, and from
 * here as the request with the loop minus the same request without.
 */
async function lookupCost(base, hosts, mode) {
  const baseline = [];
  const loop = [];
  const inside = [];
  for (let i = 0; i < REPEATS; i++) {
    baseline.push((await timedCall(`${base}/lookup?n=0&hosts=${hosts}&mode=${mode}`)).ms);
    const call = await timedCall(`${base}/lookup?n=${LOOKUPS}&hosts=${hosts}&mode=${mode}`);
    if (call.body.found !== LOOKUPS)
      throw new Error(`lookup over ${hosts} hosts found ${call.body.found} of ${LOOKUPS}`);
    loop.push(call.ms);
    inside.push(call.body.inIsolateMs);
  }
  return {
    hosts,
    nsPerLookup: (median(inside) * 1e6) / LOOKUPS,
    nsPerLookupFromOutside: ((median(loop) - median(baseline)) * 1e6) / LOOKUPS,
  };
}

async function refreshCost(base) {
  const registry = [];
  for (let i = 0; i < REPEATS; i++) registry.push((await timedCall(`${base}/registry`)).body);
  const full = [];
  const oneChanged = [];
  for (let i = 0; i < REPEATS; i++) {
    const all = await timedCall(`${base}/refresh`);
    full.push({ ms: all.ms, inIsolateMs: all.body.inIsolateMs });
    const one = await timedCall(`${base}/refresh?shop=${shopId((MEASURED + 1 + i) % SHOPS)}`);
    oneChanged.push({ ms: one.ms, inIsolateMs: one.body.inIsolateMs });
  }
  return {
    shops: registry[0].shops,
    snapshotBytes: registry[0].snapshotBytes,
    versionRpcMs: median(registry.map((r) => r.versionMs)),
    snapshotRpcMs: median(registry.map((r) => r.snapshotMs)),
    fullRebuildMs: median(full.map((r) => r.inIsolateMs)),
    fullRebuildRequestMs: median(full.map((r) => r.ms)),
    oneChangedMs: median(oneChanged.map((r) => r.inIsolateMs)),
    oneChangedRequestMs: median(oneChanged.map((r) => r.ms)),
  };
}

/** A CPU profile of one load on one worker: the functions with the most self time, as shares. */
async function profileLoad(host, name, options) {
  const inspector = await openInspector(host.inspectorPort, name);
  let profile;
  let result;
  try {
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.call("Profiler.start");
    result = await load(options);
    profile = (await inspector.call("Profiler.stop")).profile;
  } finally {
    inspector.close();
  }
  const dir = resolve(projectRoot, "artifacts/bench");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `profile-shops-${name}.cpuprofile`), JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (const id of profile.samples) {
    const frame = byId.get(id).callFrame;
    const key = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").at(-1)}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  return {
    rps: result.rps,
    top: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([fn, n]) => ({ fn, share: n / total })),
  };
}

const startedAt = Date.now();
const say = (text) => console.log(`bench:shops [${Math.round((Date.now() - startedAt) / 1000)} s]: ${text}`);

async function main() {
  if (PIN) spawnSync("taskset", ["-cp", "0", String(process.pid)]);
  const facts = {
    ...machineFacts(),
    placement: PIN
      ? "workerd pinned to CPU 1; origin, load generator and the Node process hosting workerd on CPU 0"
      : "unpinned",
    connections: CONNECTIONS,
    durationS: DURATION_S,
    rounds: ROUNDS,
    shops: SHOPS,
    lookups: LOOKUPS,
  };
  const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-bench-shops-"));
  const logFile = join(tmp, "workerd.log");
  let origin;
  let host;
  try {
    origin = await startBenchOrigin({ cpus: PIN ? "0" : undefined });
    const originUrl = origin.ready.origin;
    say("building the worker (wrangler deploy --dry-run) and the bench-only registry worker …");
    const [bundle, registryBundle] = await Promise.all([
      buildWorker(join(tmp, "build")),
      buildBenchWorker("registry-bench", "bench/registry-worker.js", join(tmp, "registry-bench")),
    ]);
    const stayopenVars = {
      ...benchVars(originUrl),
      ADMIN_TOKEN: "bench-admin-token-0123456789",
      REPLAY_SECRET: "whsec_YmVuY2gtcmVwbGF5LXNlY3JldC0wMTIzNDU2Nzg5",
    };
    host = await startWorkerHost({
      workers: [
        { name: "single", scriptPath: bundle, fromConfig: true, inspect: true, vars: stayopenVars },
        {
          name: "many",
          scriptPath: bundle,
          fromConfig: true,
          inspect: true,
          vars: { ...stayopenVars, PLATFORM_TOKEN },
        },
        { name: "bare", scriptPath: resolve(projectRoot, "bench/bare-worker.js"), vars: { ORIGIN_URL: originUrl } },
        {
          name: "registryBench",
          scriptPath: registryBundle,
          vars: { PLATFORM_TOKEN },
          options: {
            compatibilityDate: "2026-04-01",
            // The `many` worker's own registry object: what its platform API writes and its isolates read.
            durableObjects: { SHOP_REGISTRY: { className: "ShopRegistry", scriptName: "many", useSQLite: true } },
          },
        },
      ],
      persistDir: join(tmp, "state"),
      logFile,
      cpus: PIN ? "1" : undefined,
      hostCpus: PIN ? "0" : undefined,
    });
    const { urls } = host;
    const oneHost = [hostOfShop(MEASURED)];
    const allHosts = Array.from({ length: SHOPS }, (_, i) => hostOfShop(i));
    say(`${facts.cpu}, ${facts.cores} cores, workerd ${facts.workerd}; ${facts.placement}`);

    // Memory before: the same worker with its platform token and an empty registry, having served requests.
    await load({ url: urls.many, connections: CONNECTIONS, durationS: 1, requests: catalogRequests(oneHost) });
    const before = await memory(host, "many");

    say(`registering ${SHOPS} shops …`);
    const registration = await registerShops(urls, originUrl);
    say(`registered through ${registration.via} in ${registration.seconds.toFixed(1)} s`);
    await untilServed(urls.many, oneHost[0]);
    const served = await requestAs(`${urls.many}${PATHS[0]}`, oneHost[0], { headers: { accept: "text/html" } });
    const source = served.headers.get("x-stayopen-source");
    if (served.status !== 200)
      throw new Error(`${oneHost[0]}${PATHS[0]} answered ${served.status}: ${served.text.slice(0, 300)}`);
    const unknown = await requestAs(`${urls.many}${PATHS[0]}`, "nobody.bench.example");
    await load({ url: urls.many, connections: CONNECTIONS, durationS: 1, requests: catalogRequests(oneHost) });
    const after = await memory(host, "many");
    const memoryPerShop = {
      before,
      after,
      heapBytesPerShop: ((after.heapMiB - before.heapMiB) * 2 ** 20) / SHOPS,
      rssBytesPerShop: ((after.rssMiB - before.rssMiB) * 2 ** 20) / SHOPS,
    };

    const targets = {
      bare: { url: urls.bare, hosts: oneHost },
      single: { url: urls.single, hosts: oneHost },
      one: { url: urls.many, hosts: oneHost },
      rotation: { url: urls.many, hosts: allHosts },
    };
    /** Alternating rounds (a noisy machine's drift hits every target alike), then each with 4 connections. */
    async function rounds(names) {
      for (const name of names)
        await load({
          url: targets[name].url,
          connections: CONNECTIONS,
          durationS: 2,
          requests: catalogRequests(targets[name].hosts),
        });
      const runs = Object.fromEntries(names.map((name) => [name, []]));
      for (let round = 0; round < ROUNDS; round++)
        for (const name of names)
          runs[name].push(
            await measured(host, {
              url: targets[name].url,
              connections: CONNECTIONS,
              durationS: DURATION_S,
              requests: catalogRequests(targets[name].hosts),
            }),
          );
      const paced = {};
      for (const name of names)
        paced[name] = await measured(host, {
          url: targets[name].url,
          connections: LIGHT_CONNECTIONS,
          durationS: DURATION_S,
          requests: catalogRequests(targets[name].hosts),
        });
      return { saturated: Object.fromEntries(names.map((name) => [name, summarize(runs[name])])), paced };
    }

    // Phase 1: the registry holds every shop and the isolate has them all in memory; only the measured
    // shop has shoppers. What the registry adds to one shop's healthy path.
    say(`phase 1: ${ROUNDS} alternating rounds of ${DURATION_S} s of bare, single, one …`);
    const phase1 = await rounds(["bare", "single", "one"]);
    const ratio = phase1.saturated.one.rps / phase1.saturated.single.rps;
    const met = ratio >= TARGET_RATIO && phase1.saturated.one.statuses[200] === phase1.saturated.one.requests;
    let profiles;
    if (PROFILE || !met) {
      say("profiling single and one …");
      profiles = {};
      for (const name of ["single", "one"])
        profiles[name] = await profileLoad(host, name === "one" ? "many" : "single", {
          url: targets[name].url,
          connections: CONNECTIONS,
          durationS: DURATION_S,
          requests: catalogRequests(targets[name].hosts),
        });
    }

    say("lookup and refresh costs (bench-only worker) …");
    await requestAs(`${urls.registryBench}/hosts`, "registry-bench.localhost", {
      method: "POST",
      body: JSON.stringify([oneHost[0], ...allHosts.filter((h) => h !== oneHost[0])]),
    });
    const lookup = {
      one: await lookupCost(urls.registryBench, 1, "registry"),
      rotation: await lookupCost(urls.registryBench, SHOPS, "registry"),
      single: await lookupCost(urls.registryBench, 1, "single"),
    };
    const refresh = await refreshCost(urls.registryBench);

    // Phase 2: every shop has shoppers. A shop's first request in an isolate sets up its state (its
    // monitor's first look, its roster): every shop once, with a few connections, timed on its own;
    // then rounds of single-shop against a rotation over every host.
    say(`phase 2: first request of each of the ${SHOPS} shops …`);
    const firstRequests = await measured(host, {
      url: urls.many,
      connections: LIGHT_CONNECTIONS,
      amount: SHOPS,
      requests: catalogRequests(allHosts),
    });
    say(`phase 2: ${ROUNDS} alternating rounds of ${DURATION_S} s of single, rotation …`);
    const phase2 = await rounds(["single", "rotation"]);
    const rotationRatio = phase2.saturated.rotation.rps / phase2.saturated.single.rps;

    const configProblems = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((line) => line.includes('"config_invalid"') && line.includes('"shop"')).length;
    facts.loadAverageAtEnd = os.loadavg()[0];
    const report = {
      facts,
      registration,
      check: { source, unknownHostStatus: unknown.status, configProblems },
      phase1,
      phase2,
      ratio,
      rotationRatio,
      bareRatio: {
        single: phase1.saturated.single.rps / phase1.saturated.bare.rps,
        one: phase1.saturated.one.rps / phase1.saturated.bare.rps,
      },
      lookup,
      refresh,
      memory: memoryPerShop,
      firstRequests,
      profiles,
      target: `one of ${SHOPS} shops ≥ ${TARGET_RATIO}× single-shop rps`,
      met,
    };
    const markdown = shopsReport(report);
    const dir = resolve(projectRoot, SHOPS === FULL_SHOPS ? "bench/results" : "artifacts/bench");
    mkdirSync(dir, { recursive: true });
    const names = SHOPS === FULL_SHOPS ? [`shops-${facts.date.slice(0, 10)}`, "shops-latest"] : ["shops-partial"];
    for (const name of names) {
      writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(join(dir, `${name}.md`), markdown);
    }
    console.log(`\n${markdown}`);
    say(`written to ${names.map((name) => join(dir, `${name}.md`)).join(" and ")}`);
  } catch (error) {
    // workerd's log explains most failures; the temporary directory goes away below.
    mkdirSync(resolve(projectRoot, "artifacts/bench"), { recursive: true });
    if (existsSync(logFile))
      writeFileSync(
        resolve(projectRoot, "artifacts/bench/shops-workerd.log"),
        readFileSync(logFile, "utf8").slice(-2_000_000),
      );
    throw error;
  } finally {
    await host?.stop().catch(() => {});
    await origin?.stop().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
