// CPU profile of the worker's isolate under one benchmark load, over the
// DevTools protocol of Miniflare's inspector proxy: what stayopen spends its
// time on. Prints the functions with the most self time and writes the
// .cpuprofile (open it in Chrome DevTools) to artifacts/bench/.
//
//   node bench/profile.mjs healthy|stale|hanging|intake [seconds]
//   PROFILE_SIZE=<KB>x<paths> (100x100): the catalog pages, as in `npm run bench`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { request } from "../scripts/lib/http.mjs";
import { projectRoot } from "../scripts/lib/paths.mjs";
import { buildWorker, openInspector, startWorkerHost } from "../scripts/lib/processes.mjs";
import { startBenchOrigin } from "./lib/origin.mjs";
import { load } from "./lib/load.mjs";

const [pageKb, pathCount] = (process.env.PROFILE_SIZE ?? "100x100").split("x").map(Number);
const PAGES = Array.from({ length: pathCount }, (_, i) => `/s/${pageKb}/p/${i + 1}`);
const catalog = PAGES.map((path) => ({ method: "GET", path, headers: { accept: "text/html" } }));
const LOADS = {
  healthy: { origin: "up", requests: catalog },
  stale: { origin: "down", requests: catalog },
  hanging: { origin: "hang", requests: catalog },
  intake: {
    origin: "down",
    requests: [
      {
        method: "POST",
        path: "/api/orders",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          sku: "COF-YIRG-250",
          qty: 1,
          name: "P",
          email: "p@example.com",
          address: "1 Profile St",
        }),
        // Every order from its own shopper, as in `npm run bench`.
        setupRequest: (req) => {
          const n = ++keys;
          const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
          return {
            ...req,
            headers: { ...req.headers, "idempotency-key": `bench-profile-${n}`, "cf-connecting-ip": ip },
          };
        },
      },
    ],
  },
};
let keys = 0;
const [kind = "intake", seconds = "5"] = process.argv.slice(2);
const chosen = LOADS[kind];
if (!chosen) {
  console.error(`usage: node bench/profile.mjs ${Object.keys(LOADS).join("|")} [seconds]`);
  process.exit(2);
}

const tmp = mkdtempSync(join(os.tmpdir(), "stayopen-profile-"));
const origin = await startBenchOrigin();
let host;
try {
  const bundle = await buildWorker(join(tmp, "build"));
  host = await startWorkerHost({
    workers: [
      {
        name: "stayopen",
        scriptPath: bundle,
        fromConfig: true,
        inspect: true,
        vars: {
          ORIGIN_URL: origin.ready.origin,
          RATE_LIMIT_ORDERS_PER_MIN: "100000",
          SNAPSHOT_NEW_KEYS_PER_MIN: "100000",
        },
      },
    ],
    persistDir: join(tmp, "state"),
  });
  const base = host.urls.stayopen;
  // Every page once while the origin is up, so each has a snapshot.
  for (const path of PAGES) await request(base + path);
  if (chosen.origin !== "up") await request(`${origin.ready.control}/mode?mode=${chosen.origin}`, { method: "POST" });
  await Promise.all([0, 1, 2, 3, 4].map(() => request(base + PAGES[0], { timeoutMs: 10_000 })));
  await load({ url: base, connections: 32, durationS: 1, requests: chosen.requests });

  const inspector = await openInspector(host.inspectorPort, "stayopen");
  let profile;
  try {
    await inspector.call("Profiler.enable");
    await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.call("Profiler.start");
    const result = await load({ url: base, connections: 32, durationS: Number(seconds), requests: chosen.requests });
    console.log(`profile ${kind}: ${Math.round(result.rps)} rps, statuses ${JSON.stringify(result.statuses)}`);
    profile = (await inspector.call("Profiler.stop")).profile;
  } finally {
    inspector.close();
  }
  const dir = resolve(projectRoot, "artifacts/bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `profile-${kind}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  printTop(profile);
  console.log(`written ${file}`);
} finally {
  await host?.stop().catch(() => {});
  await origin.stop().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
}

/** Self time per function (name and location), the top 25, as a share of all samples. */
function printTop(profile) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  let total = 0;
  for (const [id, n] of counts) {
    const frame = byId.get(id).callFrame;
    const url = frame.url.split("/").slice(-2).join("/");
    const key = `${frame.functionName || "(anonymous)"} ${url}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + n);
    total += n;
  }
  console.log("self time  function");
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(8)} %  ${key}`);
  }
}
