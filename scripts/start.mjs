// `npm start`: stayopen in local workerd (wrangler dev, persisted state) in front of the demo shop, or with
// `npm start -- --origin <url>` in front of your own local shop, or with `npm start -- --shops 3` in front of
// three demo shops at http://alpha.localhost:8787, http://beta.… (registered through the platform API).
// Prints a short banner once the worker answers and its configuration is checked (with --shops: once the
// shops are registered), then only the events that matter (wrangler's own chatter is left out).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { demoShops } from "../demo/shops.mjs";
import { demoShopVars, demoVars } from "../demo/stayopen-vars.mjs";
import { deleteShop, platformProblem, putShop, shopIds } from "./lib/platform.mjs";
import { localSecrets, platformSecrets } from "./local-secrets.mjs";

const USAGE = `usage: npm start [-- --origin <url>] [-- --backup] [-- --shops <n>]
  --origin <url>  put stayopen in front of your own shop at <url> instead of the demo shop
  --backup        also start a read-only copy of the demo shop as a backup origin
  --shops <n>     1 to ${demoShops.length} demo shops on one worker, at http://${demoShops[0].id}.localhost:8787, …
ports: STAYOPEN_PORT (8787), DEMO_PORT (8788), DEMO_CONTROL_PORT (8789),
       DEMO_BACKUP_PORT (8790), DEMO_BACKUP_CONTROL_PORT (8791);
       with --shops, shop i (0, 1, …) uses DEMO_PORT + 2i and DEMO_CONTROL_PORT + 2i`;

const tty = process.stdout.isTTY === true;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const plain = (text) => (tty ? text : text.replace(ANSI, ""));
const bold = (text) => (tty ? `\x1b[1m${text}\x1b[22m` : text);
const say = (text) => console.log(plain(text));

function fail(message) {
  console.error(plain(message));
  process.exit(1);
}

const { origin: ownOrigin, backup: BACKUP, shops: SHOP_COUNT } = parseArgs(process.argv.slice(2));
const DEMO = ownOrigin === undefined;
const SHOPS = SHOP_COUNT !== undefined;
const ports = {
  STAYOPEN_PORT: port("STAYOPEN_PORT", 8787),
  ...(DEMO ? { DEMO_PORT: port("DEMO_PORT", 8788), DEMO_CONTROL_PORT: port("DEMO_CONTROL_PORT", 8789) } : {}),
  ...(BACKUP
    ? {
        DEMO_BACKUP_PORT: port("DEMO_BACKUP_PORT", 8790),
        DEMO_BACKUP_CONTROL_PORT: port("DEMO_BACKUP_CONTROL_PORT", 8791),
      }
    : {}),
};
const shop = `http://127.0.0.1:${ports.STAYOPEN_PORT}`;
const origin = ownOrigin ?? `http://127.0.0.1:${ports.DEMO_PORT}`;
/** --shops: each demo shop with its own origin and control ports and its address on the worker. */
const demoShopsRun = SHOPS
  ? demoShops.slice(0, SHOP_COUNT).map((profile, i) => ({
      profile,
      port: ports.DEMO_PORT + 2 * i,
      controlPort: ports.DEMO_CONTROL_PORT + 2 * i,
      url: `http://${profile.id}.localhost:${ports.STAYOPEN_PORT}`,
    }))
  : [];
/** Every port this run listens on, with the variable that moves it: [variable, port, that variable's value]. */
const listening = [
  ...Object.entries(ports).map(([name, value]) => [name, value, value]),
  ...demoShopsRun.slice(1).flatMap((s) => [
    ["DEMO_PORT", checkedPort(`DEMO_PORT (+ ${s.profile.id})`, s.port), ports.DEMO_PORT],
    ["DEMO_CONTROL_PORT", checkedPort(`DEMO_CONTROL_PORT (+ ${s.profile.id})`, s.controlPort), ports.DEMO_CONTROL_PORT],
  ]),
];
const secrets = SHOPS ? undefined : localSecrets();
const platform = SHOPS ? platformSecrets(demoShopsRun.map((s) => s.profile.id)) : undefined;

function parseArgs(args) {
  const parsed = { origin: undefined, backup: false, shops: undefined };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--backup") parsed.backup = true;
    else if (args[i] === "--shops" && args[i + 1] && !args[i + 1].startsWith("--")) parsed.shops = shopCount(args[++i]);
    else if (args[i]?.startsWith("--shops=")) parsed.shops = shopCount(args[i].slice("--shops=".length));
    else if (args[i] === "--origin" && args[i + 1] && !args[i + 1].startsWith("--")) parsed.origin = args[++i];
    else if (args[i]?.startsWith("--origin=")) parsed.origin = args[i].slice("--origin=".length);
    else if (args[i] === "--shops") fail(`npm start: --shops needs a number\n${USAGE}`);
    else fail(`npm start: ${args[i] === "--origin" ? "--origin needs a URL" : `unknown option ${args[i]}`}\n${USAGE}`);
  }
  if (parsed.origin !== undefined && parsed.backup)
    fail("npm start: --backup starts a copy of the demo shop; it goes without --origin");
  if (parsed.shops !== undefined && (parsed.origin !== undefined || parsed.backup))
    fail("npm start: --shops starts its own demo shops; it goes without --origin and --backup");
  return parsed;
}

function shopCount(text) {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > demoShops.length)
    fail(`npm start: --shops takes a number from 1 to ${demoShops.length} (the demo has that many shops)\n${USAGE}`);
  return count;
}

function port(name, fallback) {
  return checkedPort(name, Number(process.env[name] ?? fallback));
}

function checkedPort(name, value) {
  if (!Number.isInteger(value) || value < 1 || value > 65_535)
    fail(`npm start: ${name} must be a port number (1-65535)`);
  return value;
}

/** True when nothing listens on 127.0.0.1:port. */
function portFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", () => done(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => done(true)));
  });
}

const taken = [];
for (const [name, value, setting] of listening) if (!(await portFree(value))) taken.push([name, value, setting]);
if (taken.length > 0) {
  fail(
    taken
      .map(
        ([name, value, setting]) =>
          `Port ${value} is taken (another program, or an earlier npm start still running): set ${name} to a free port, e.g. ${name}=${setting + 10} npm start`,
      )
      .join("\n"),
  );
}

const children = [];
let stopping = false;
function shutdown(code) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

/** Runs a child, handing each output line (without colour codes when stdout is no terminal) to `show`. */
function run(name, command, args, env, show) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.on("data", (data) => {
      buffered += data;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines) show(plain(line));
    });
  }
  child.on("exit", (code) => {
    if (stopping) return;
    say(`${name} stopped (${code ?? "signal"}); stopping everything.`);
    shutdown(code || 1);
  });
  children.push(child);
  return child;
}

const prefixed = (name) => (line) => {
  if (line.trim()) say(`${name.padEnd(8)}| ${line}`);
};

if (SHOPS) {
  for (const { profile, port: shopPort, controlPort } of demoShopsRun) {
    const env = {
      DEMO_SHOP: profile.id,
      REPLAY_SECRET: platform.shops[profile.id].REPLAY_SECRET,
      DEMO_QUIET: "1",
      PORT: String(shopPort),
      CONTROL_PORT: String(controlPort),
      DEMO_DATA_DIR: `demo/.data-${profile.id}`,
    };
    run(profile.id, process.execPath, ["demo/server.mjs"], env, prefixed(profile.id));
  }
} else if (DEMO) {
  const demoShop = { REPLAY_SECRET: secrets.REPLAY_SECRET, DEMO_QUIET: "1" };
  run(
    "shop",
    process.execPath,
    ["demo/server.mjs"],
    { ...demoShop, PORT: String(ports.DEMO_PORT), CONTROL_PORT: String(ports.DEMO_CONTROL_PORT) },
    prefixed("shop"),
  );
  if (BACKUP) {
    const backupEnv = {
      ...demoShop,
      PORT: String(ports.DEMO_BACKUP_PORT),
      CONTROL_PORT: String(ports.DEMO_BACKUP_CONTROL_PORT),
      SHOP_LABEL: "backup",
      DEMO_DATA_DIR: "demo/.data-backup",
    };
    run("backup", process.execPath, ["demo/server.mjs"], backupEnv, prefixed("backup"));
  }
}

// The demo's settings come from demo/stayopen-vars.json (wrangler.toml ships none); your own shop gets only its
// origin and URL here, and its other settings from .dev.vars (NAME=value lines) like its secrets. With --shops
// the worker gets no shop settings at all: each shop's come through the platform API once it listens.
const vars = SHOPS
  ? {}
  : {
      ...(DEMO ? demoVars : {}),
      ORIGIN_URL: origin,
      SHOP_URL: shop,
      ...(BACKUP
        ? { BACKUP_ORIGINS: JSON.stringify([{ url: `http://127.0.0.1:${ports.DEMO_BACKUP_PORT}`, orders: false }]) }
        : {}),
    };

/**
 * wrangler's output, trimmed to what matters: errors (with the lines that explain them), the worker's
 * structured events, and the one line that says it is listening. The binding list, update notice and
 * request lines are left out.
 */
let inError = false;
function showWrangler(line) {
  // wrangler marks the worker's console.error and console.warn lines; the JSON after the mark is the event.
  const text = line.trim().replace(/^(✘ \[ERROR\]|▲ \[WARNING\]) (?=\{)/, "");
  if (/EADDRINUSE|address already in use/i.test(text)) {
    say(
      `Port ${ports.STAYOPEN_PORT} is taken. Set STAYOPEN_PORT to a free port, e.g. STAYOPEN_PORT=${ports.STAYOPEN_PORT + 10} npm start`,
    );
    shutdown(1);
    return;
  }
  if (text.startsWith("{")) return showEvent(text);
  if (/Ready on/i.test(text)) {
    if (SHOPS) registerAndAnnounce();
    else checkAndAnnounce();
    return;
  }
  // wrangler's per-request lines are chatter even right after an error.
  if (text.startsWith("[wrangler:info]")) return;
  if (/✘|\[ERROR\]|\[wrangler:error\]|^Error\b|^\w*Error:/.test(text)) inError = true;
  else if (!text) inError = false;
  if (inError && text) say(`stayopen| ${text}`);
}

/** One worker log line (src/log.ts JSON) as `time level event key=value …`; debug is left out. */
function showEvent(text) {
  let event;
  try {
    event = JSON.parse(text);
  } catch {
    return say(`stayopen| ${text}`);
  }
  if (!event || typeof event.event !== "string" || event.level === "debug") return;
  const { level, event: name, time, ...fields } = event;
  const details = Object.entries(fields)
    .filter(([key]) => key !== "stack")
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  const clock = typeof time === "string" ? time.slice(11, 19) : "";
  say(`${clock} ${level === "info" ? "" : `${String(level).toUpperCase()} `}${name}${details ? ` ${details}` : ""}`);
}

run(
  "stayopen",
  process.execPath,
  [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(ports.STAYOPEN_PORT),
    "--persist-to",
    ".wrangler/state",
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    // Only PLATFORM_TOKEN: the shops' own secrets reach the worker through the platform API, not its env.
    ...(SHOPS ? ["--env-file", platform.platformPath] : []),
    "--show-interactive-dev-session=false",
    // Local dev never fires the cron by itself: GET /__scheduled runs it (pre-warm, backups, export).
    "--test-scheduled",
  ],
  {
    WRANGLER_SEND_METRICS: "false",
    CI: process.env.CI ?? "",
    ...(tty ? {} : { NO_COLOR: "1", FORCE_COLOR: "0" }),
    // The demo needs no real request.cf; skipping the download keeps start-up offline and quiet.
    CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
  },
  showWrangler,
);

/**
 * The worker checks its configuration with the one schema (src/config/schema.ts) and names every unusable
 * variable in the admin status; read it there before saying "ready".
 */
async function configurationProblems() {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${shop}/__stayopen/admin/status`, {
        headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` },
        signal: AbortSignal.timeout(5_000),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) return (body.configProblems ?? []).map((problem) => problem.message);
      // An unusable ADMIN_TOKEN closes the admin API with its reason; the rest cannot be read then.
      if (body.error === "config_invalid")
        return [`${body.message.replace(/^stayopen configuration error: /, "")} (fix it to see any other problem)`];
      return [`the admin status answered ${response.status}: is ADMIN_TOKEN in .dev.vars the worker's?`];
    } catch (error) {
      if (Date.now() > deadline) return [`the worker did not answer ${shop}/__stayopen/admin/status: ${error.message}`];
      await new Promise((done) => setTimeout(done, 300));
    }
  }
}

let announced = false;
async function checkAndAnnounce() {
  if (announced) return;
  announced = true;
  const problems = await configurationProblems();
  const line = "─".repeat(74);
  const front = DEMO ? `the demo shop (${origin}, control http://127.0.0.1:${ports.DEMO_CONTROL_PORT})` : origin;
  const lines = [
    line,
    problems.length === 0
      ? ` ${bold("stayopen is ready")}: ${shop}  in front of ${front}`
      : ` ${bold("stayopen is running, with configuration problems")}: ${shop}  in front of ${front}`,
    ...problems.map((problem) => `   ✘ ${problem}`),
    ...(problems.length > 0
      ? [
          "   Each is taken as unset until fixed (its feature off; without ORIGIN_URL shoppers see the",
          "   maintenance page). Correct them in .dev.vars (NAME=value) and restart; docs/operations.md.",
        ]
      : []),
    ` Status   ${shop}/__stayopen/status`,
    ` Admin    curl -H 'authorization: Bearer ${secrets.ADMIN_TOKEN}' ${shop}/__stayopen/admin/status`,
    ` Cron now curl ${shop}/__scheduled   (pre-warm, backups; every 5 minutes in production)`,
    ...(DEMO
      ? [
          ` Outage   curl -X POST 'http://127.0.0.1:${ports.DEMO_CONTROL_PORT}/mode?mode=down'   (…mode=up to recover)`,
          '          then browse pages you visited, order (README, "The 60-second outage demo"), watch the queue drain.',
        ]
      : [" Your shop's other settings: NAME=value lines in .dev.vars (restart to apply)."]),
    ...(BACKUP ? [` Backup   http://127.0.0.1:${ports.DEMO_BACKUP_PORT} (read-only demo copy)`] : []),
    " Ctrl-C stops everything. Events follow below.",
    line,
  ];
  say(lines.join("\n"));
}

/** Waits (bounded) for the platform API, registers each demo shop and removes demo shops this run does not start. */
async function registerShops() {
  const deadline = Date.now() + 30_000;
  let listed;
  for (;;) {
    listed = await shopIds(shop, platform.PLATFORM_TOKEN);
    if (listed.ids || listed.res.status !== 0 || Date.now() > deadline) break;
    await new Promise((done) => setTimeout(done, 300));
  }
  if (!listed.ids)
    return [`the platform API (${shop}/__stayopen/platform/shops) answered ${platformProblem(listed.res)}`];
  const problems = [];
  for (const { profile, port: shopPort, url } of demoShopsRun) {
    const res = await putShop(shop, platform.PLATFORM_TOKEN, profile.id, {
      hosts: [new URL(url).hostname],
      config: demoShopVars(profile, { originUrl: `http://127.0.0.1:${shopPort}`, shopUrl: url }),
      secrets: platform.shops[profile.id],
    });
    if (res.status !== 200 && res.status !== 201) problems.push(`${profile.id}: ${platformProblem(res)}`);
  }
  // A demo shop left from an earlier, larger --shops run would keep its host with no origin behind it.
  const started = new Set(demoShopsRun.map((s) => s.profile.id));
  for (const id of listed.ids.filter((id) => !started.has(id) && demoShops.some((s) => s.id === id))) {
    const res = await deleteShop(shop, platform.PLATFORM_TOKEN, id);
    if (res.status >= 300) problems.push(`removing ${id} from an earlier run: ${platformProblem(res)}`);
  }
  return problems;
}

async function registerAndAnnounce() {
  if (announced) return;
  announced = true;
  const problems = await registerShops();
  const line = "─".repeat(74);
  const down = demoShopsRun[1] ?? demoShopsRun[0];
  const width = Math.max(...demoShopsRun.map((s) => s.url.length));
  const lines = [
    line,
    ` ${bold(problems.length === 0 ? "stayopen is ready" : "stayopen is running, with problems")}: ${demoShopsRun.length} shops on one worker (${shop})`,
    ...problems.map((problem) => `   ✘ ${problem}`),
    ...demoShopsRun.map(
      (s) => `   ${s.url.padEnd(width)}  ${s.profile.name}  (origin :${s.port}, control :${s.controlPort})`,
    ),
    ` Outage   curl -X POST 'http://127.0.0.1:${down.controlPort}/mode?mode=down'   stops ${down.profile.id}'s origin only`,
    "          (…mode=up to recover); the other shops stay live.",
    ` Platform http://localhost:${ports.STAYOPEN_PORT}/__stayopen/platform   sign in with ${platform.PLATFORM_TOKEN}`,
    ` Admins   <shop URL>/__stayopen/admin, each shop its own token (${platform.shopsPath})`,
    " Ctrl-C stops everything. Events follow below.",
    line,
  ];
  say(lines.join("\n"));
}
