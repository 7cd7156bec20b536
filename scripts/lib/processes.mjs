// Real processes for bench, chaos, e2e and drill tests: the demo shop, the
// worker built once and run in workerd (Miniflare's Node API, direct sockets)
// or under `wrangler dev`, each killable with SIGKILL and restartable on the
// same port with the same persisted state.
import { execFile, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { demoVars } from "../../demo/stayopen-vars.mjs";
import { freePorts, makeDataDir, removeDataDir, setMode, startShop } from "../../demo/test-support/shop-process.mjs";
import { projectRoot } from "./paths.mjs";

export { freePorts, makeDataDir, removeDataDir, setMode, startShop };

const WRANGLER = resolve(projectRoot, "node_modules/wrangler/bin/wrangler.js");
const HOST_SCRIPT = resolve(projectRoot, "scripts/lib/worker-host.mjs");
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const run = promisify(execFile);

/** The wrangler config to build and run; STAYOPEN_CONFIG points elsewhere (e.g. a trimmed copy). */
export const configPath = resolve(projectRoot, process.env.STAYOPEN_CONFIG ?? "wrangler.toml");

/**
 * Bundles the worker exactly as `wrangler deploy` would, without deploying; returns the module path.
 * `sourceDir`: another checkout of the project (the bench builds the base branch beside this one);
 * `config` and `entry`: another wrangler config (a bench-only worker) and its `main` file's name without extension.
 */
export async function buildWorker(outDir, { sourceDir = projectRoot, config, entry = "index" } = {}) {
  mkdirSync(outDir, { recursive: true });
  config ??= sourceDir === projectRoot ? configPath : resolve(sourceDir, "wrangler.toml");
  try {
    await run(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outDir, "-c", config], {
      cwd: sourceDir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", NO_COLOR: "1" },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
  } catch (error) {
    throw new Error(`building the worker failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
  }
  const bundle = join(outDir, `${entry}.js`);
  if (!existsSync(bundle)) throw new Error(`wrangler built no ${bundle}`);
  return bundle;
}

const started = new Set();
// A crashed or interrupted harness must not leave workerd holding ports. The workers run in their
// own process groups, so Ctrl-C does not reach them: exiting on it runs the cleanup below.
process.on("exit", () => {
  for (const child of started) killGroup(child, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => process.exit(130));

function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the group: node plus the workerd it spawned
  } catch {
    // already gone
  }
}

/**
 * Spawns a command in its own process group, waits until `readyWhen(output)` returns a
 * value, and returns controls. Output is appended to logFile when given; `cpus` ("0",
 * "1", "0,1") pins the process and its children with taskset; `cwd` defaults to the project root.
 */
export async function startProcess({
  name,
  command,
  args,
  env,
  logFile,
  readyWhen,
  cpus,
  cwd = projectRoot,
  timeoutMs = START_TIMEOUT_MS,
}) {
  if (cpus !== undefined) [command, args] = ["taskset", ["-c", String(cpus), command, ...args]];
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  started.add(child);
  const log = logFile ? createWriteStream(logFile, { flags: "a" }) : null;
  let output = "";
  const exited = new Promise((done) =>
    child.once("exit", (code, signal) => {
      started.delete(child);
      log?.end();
      done({ code, signal });
    }),
  );
  const ready = await new Promise((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${name} did not start in time:\n${output.slice(-4000)}`)),
      timeoutMs,
    );
    let isReady = false;
    const onData = (chunk) => {
      log?.write(chunk);
      if (output.length < 1_000_000) output += chunk;
      // Once ready, the output is only kept: re-reading all of it on every chunk of a busy worker's
      // log lines would load the core the load generator runs on.
      if (isReady) return;
      const value = readyWhen(output);
      if (value) {
        isReady = true;
        clearTimeout(timer);
        done(value);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output.slice(-4000)}`));
    });
  });
  return {
    child,
    ready,
    exited,
    output: () => output,
    pid: child.pid,
    /** A crash: the whole process group gets SIGKILL, no shutdown code runs. */
    async kill9() {
      killGroup(child, "SIGKILL");
      await exited;
    },
    async stop() {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Miniflare options for the worker as the wrangler config describes it (bindings, Durable Objects), with
 * the demo shop's settings: these runs put the worker in front of the demo shop, and wrangler.toml ships none.
 */
async function optionsFromConfig() {
  // wrangler takes seconds to import: done once here, not on every (re)start of the host.
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  const options = unstable_getMiniflareWorkerOptions(configPath).workerOptions;
  return { ...options, bindings: { ...options.bindings, ...demoVars } };
}

/**
 * Runs workers in workerd. `workers`: [{name, scriptPath, port?, vars?, fromConfig?, options?}];
 * a worker with fromConfig gets the bindings of the wrangler config (its options, if any, replace single
 * entries such as kvNamespaces), one with only options those Miniflare options.
 * `cpus` pins workerd and `hostCpus` (default: the same) the Node process that hosts it (taskset lists).
 * Returns {urls, kill9, stop, restart, workerdPid}; restart keeps ports and state.
 */
export async function startWorkerHost({ workers, persistDir, logFile, cpus, hostCpus = cpus }) {
  const ports = await freePorts(workers.length + 1);
  const inspectorPort = workers.some((w) => w.inspect) ? ports.at(-1) : undefined;
  const options = workers.some((w) => w.fromConfig) ? await optionsFromConfig() : undefined;
  const spec = {
    persistDir,
    inspectorPort,
    workers: workers.map(({ fromConfig, ...w }, i) => ({
      ...w,
      port: w.port ?? ports[i],
      options: fromConfig ? { ...options, ...w.options } : w.options,
    })),
  };
  let proc;
  async function launch() {
    proc = await startProcess({
      name: "workerd",
      cpus: hostCpus,
      command: process.execPath,
      args: [HOST_SCRIPT],
      env: { STAYOPEN_WORKER_HOST: JSON.stringify(spec) },
      logFile,
      readyWhen: (output) => firstJsonLine(output, "ready")?.ready,
    });
    // workerd alone on `cpus` (every thread), when the host's Node process (which parses and forwards
    // each of workerd's log lines, as Miniflare does) runs elsewhere: a benchmark then measures workerd.
    const workerd = workerdPid();
    if (cpus !== hostCpus && workerd !== undefined) spawnSync("taskset", ["-a", "-cp", String(cpus), String(workerd)]);
  }
  const workerdPid = () => childPids(proc.pid).find((pid) => processName(pid) === "workerd");
  await launch();
  const urls = proc.ready;
  return {
    urls,
    get pid() {
      return proc.pid;
    },
    kill9: () => proc.kill9(),
    stop: () => proc.stop(),
    async restart() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.kill9();
      await launch();
    },
    /** Runs every worker's scheduled handler once, as the cron trigger would; resolves with {name: outcome}. */
    scheduled: (timeoutMs = 120_000) => runScheduled(proc, timeoutMs),
    /** The JS heap of a worker started with `inspect: true`, in MiB, the lowest of three readings after GC requests. */
    heapUsedMiB: (name) => heapUsedMiB(inspectorPort, name),
    inspectorPort,
    /** The workerd process (a child of the host), for memory readings. */
    workerdPid,
  };
}

function runScheduled(proc, timeoutMs) {
  return new Promise((done, fail) => {
    let seen = "";
    const onData = (chunk) => {
      seen = (seen + chunk).slice(-100_000);
      const result = firstJsonLine(seen, "scheduled");
      if (!result) return;
      finish();
      done(result.scheduled);
    };
    const timer = setTimeout(() => {
      finish();
      fail(new Error(`the scheduled handlers did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      proc.child.stdout.off("data", onData);
    };
    proc.child.stdout.on("data", onData);
    process.kill(proc.pid, "SIGUSR2");
  });
}

/**
 * `wrangler dev` as `npm start` runs it (the demo shop's settings), on a free port, with its own
 * persisted state and `--var` overrides. Functional tests only: its proxy funnels every request through one object.
 */
export async function startWranglerDev({ persistDir, vars = {}, logFile, port }) {
  const [chosen] = port ? [port] : await freePorts(1);
  const args = [
    WRANGLER,
    "dev",
    "-c",
    configPath,
    "--ip",
    "127.0.0.1",
    "--port",
    String(chosen),
    "--persist-to",
    persistDir,
  ];
  args.push("--show-interactive-dev-session=false", "--inspector-port", String((await freePorts(1))[0]));
  for (const [name, value] of Object.entries({ ...demoVars, ...vars })) args.push("--var", `${name}:${value}`);
  let proc;
  async function launch() {
    proc = await startProcess({
      name: "wrangler dev",
      command: process.execPath,
      args,
      env: { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
      logFile,
      readyWhen: (output) => /Ready on/i.test(output),
    });
    await waitForHttp(`http://127.0.0.1:${chosen}/__stayopen/status.json`);
  }
  await launch();
  return {
    urls: { stayopen: `http://127.0.0.1:${chosen}` },
    get pid() {
      return proc.pid;
    },
    kill9: () => proc.kill9(),
    stop: () => proc.stop(),
    async restart() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.kill9();
      await launch();
    },
    workerdPid: () => undefined,
  };
}

/** Polls until the URL answers at all (any status), bounded. */
export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms: ${error.message}`);
      await sleep(200);
    }
  }
}

/** The first output line that is a JSON object with `key`, parsed. */
export function firstJsonLine(output, key) {
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const value = JSON.parse(line);
      if (value && key in value) return value;
    } catch {
      // an incomplete line; the next chunk completes it
    }
  }
  return undefined;
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function processName(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * A DevTools protocol session with a worker's isolate (workers started with
 * `inspect: true`): `call(method, params)` resolves with the result.
 */
export async function openInspector(port, name) {
  if (!port) throw new Error("start the worker with inspect: true to inspect it");
  const targets = await (
    await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(5_000) })
  ).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl?.endsWith(`/${name}`)) ?? targets[0];
  // Node 20 has no WebSocket client; `ws` is the one Miniflare itself uses.
  const WebSocket = createRequire(createRequire(WRANGLER).resolve("miniflare"))("ws");
  const socket = new WebSocket(target.webSocketDebuggerUrl, { maxPayload: 512 * 2 ** 20 });
  const replies = new Map();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    replies.get(message.id)?.(message);
  });
  await new Promise((done, fail) => {
    socket.once("open", done);
    socket.once("error", fail);
  });
  let id = 0;
  return {
    call: (method, params, timeoutMs = 60_000) =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`${method} timed out`)), timeoutMs);
        replies.set(++id, (message) => {
          clearTimeout(timer);
          done(message.result);
        });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    /** For methods workerd runs but never answers. */
    send: (method) => socket.send(JSON.stringify({ id: 0, method })),
    close: () => socket.close(),
  };
}

async function heapUsedMiB(port, name) {
  const inspector = await openInspector(port, name);
  try {
    // workerd never answers collectGarbage and runs it when it gets to it: ask a few times, keep the lowest reading.
    let lowest = Infinity;
    for (let i = 0; i < 3; i++) {
      inspector.send("HeapProfiler.collectGarbage");
      await sleep(1000);
      lowest = Math.min(lowest, (await inspector.call("Runtime.getHeapUsage")).usedSize);
    }
    return lowest / 2 ** 20;
  } finally {
    inspector.close();
  }
}

/** Resident memory of a process in MiB (Linux /proc), or null when unknown. */
export function residentMiB(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}
