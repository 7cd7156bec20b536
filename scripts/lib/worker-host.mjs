// Child process that runs built workers in one workerd through Miniflare's Node
// API, each worker on its own direct socket (no wrangler dev proxy in the
// request path). Started and killed by scripts/lib/processes.mjs; it prints one
// JSON line `{"ready":{name:url}}` once every socket answers.
//
// Spec (JSON in STAYOPEN_WORKER_HOST): {
//   persistDir?,                                   persisted state root (KV, Cache, Durable Objects)
//   inspectorPort?,                                DevTools protocol for workers with `inspect: true` (heap readings)
//   workers: [{ name, scriptPath, port, vars, options? }]   options: Miniflare worker options (e.g. from the wrangler config)
// }
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { projectRoot } from "./paths.mjs";

const spec = JSON.parse(process.env.STAYOPEN_WORKER_HOST ?? "{}");
const requireFromWrangler = createRequire(resolve(projectRoot, "node_modules/wrangler/package.json"));
// The Miniflare wrangler itself runs on, so local runs match `wrangler dev`.
const { Miniflare, Log, LogLevel } = requireFromWrangler("miniflare");

function workerOptions(worker) {
  const base = {
    name: worker.name,
    modules: true,
    scriptPath: worker.scriptPath,
    // Module names are paths relative to this root; the bundle may live in a temp dir.
    modulesRoot: dirname(worker.scriptPath),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: worker.port }],
    ...(worker.inspect ? { unsafeInspectorProxy: true } : {}),
  };
  if (!worker.options) return { ...base, compatibilityDate: "2026-04-01", bindings: worker.vars ?? {} };
  return { ...worker.options, ...base, bindings: { ...worker.options.bindings, ...(worker.vars ?? {}) } };
}

const persist = spec.persistDir ? { defaultPersistRoot: resolve(spec.persistDir) } : {};
const mf = new Miniflare({
  ...persist,
  ...(spec.inspectorPort ? { inspectorPort: spec.inspectorPort } : {}),
  cf: false, // no network: do not fetch Cloudflare's request.cf sample
  log: new Log(LogLevel.WARN),
  // The worker's console output (structured JSON logs) goes to this process's stdout for the parent to keep.
  handleRuntimeStdio(stdout, stderr) {
    stdout.pipe(process.stdout);
    stderr.pipe(process.stderr);
  },
  workers: spec.workers.map(workerOptions),
});

await mf.ready;
const ready = {};
for (const worker of spec.workers) ready[worker.name] = `http://127.0.0.1:${worker.port}`;
process.stdout.write(`${JSON.stringify({ ready })}\n`);

// SIGUSR2 runs each worker's scheduled handler once, as its cron trigger would
// (there is no cron locally), then prints `{"scheduled":{name:outcome}}`.
process.on("SIGUSR2", async () => {
  const outcomes = {};
  for (const worker of spec.workers) {
    try {
      outcomes[worker.name] = (await (await mf.getWorker(worker.name)).scheduled({ cron: "* * * * *" })).outcome;
    } catch (error) {
      outcomes[worker.name] = `error: ${error.message}`;
    }
  }
  process.stdout.write(`${JSON.stringify({ scheduled: outcomes })}\n`);
});

async function stop() {
  await mf.dispose().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
