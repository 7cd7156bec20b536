#!/usr/bin/env node
// stayopen's command line. Today one command: the outage drill.
import { existsSync, readFileSync } from "node:fs";
import { DrillError, runDrill } from "../scripts/drill/drill.mjs";
import { reachHostAt } from "../scripts/lib/localhost-names.mjs";

/** What `npm start` runs: its address and the file it keeps the local admin token in. */
const LOCAL_URL = `http://127.0.0.1:${process.env.STAYOPEN_PORT ?? 8787}`;
const LOCAL_DEV_VARS = ".dev.vars";

const USAGE = `usage: stayopen drill [url] [--token <ADMIN_TOKEN>] [options]

Forces maintenance on a running stayopen for a short window (it ends by itself),
checks what shoppers get during the outage, restores, and prints a readiness
score with what to fix. Ctrl-C restores at once.

  url                  the shop behind stayopen (default: ${LOCAL_URL}, what npm start runs)
  --host <name>        one shop of a platform: its host, when the url reaches the
                       deployment under another name (e.g. --host beta.localhost
                       with npm start -- --shops 3); the token is that shop's
  --token <t>          admin token (or STAYOPEN_ADMIN_TOKEN, or --dev-vars; for the
                       default URL, ${LOCAL_DEV_VARS} in this folder)
  --dev-vars <file>    read ADMIN_TOKEN from a wrangler .dev.vars file
  --minutes <n>        length of the forced window, 1–30 (default 3)
  --paths </a,/b>      pages to check (default: the readiness report's critical pages)
  --with-test-order    also POST one test order while forced; it IS delivered to the shop afterwards
  --order-path <path>  where to post it (default: the first ORDER_PATHS entry)
  --order-body <json>  its JSON body (default: a demo-shop order marked "drill")

Exit status: 0 no findings, 1 findings to fix, 2 the drill could not run.`;

function parse(argv) {
  const [command, ...rest] = argv;
  const options = { command };
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i];
    // The URL may come after the options too: `npm run drill -- <url>` appends it to the script's own.
    if (!name.startsWith("--") && options.url === undefined) {
      options.url = name;
      continue;
    }
    const value = () => {
      if (rest[i + 1] === undefined) throw new DrillError(`${name} needs a value`);
      return rest[++i];
    };
    if (name === "--token") options.token = value();
    else if (name === "--host") options.host = value();
    else if (name === "--dev-vars") options.devVars = value();
    else if (name === "--minutes") options.minutes = Number(value());
    else if (name === "--paths")
      options.paths = value()
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
    else if (name === "--with-test-order") options.withTestOrder = true;
    else if (name === "--order-path") options.orderPath = value();
    else if (name === "--order-body") options.orderBody = jsonOption(name, value());
    else throw new DrillError(`unknown option ${name}`);
  }
  return options;
}

function jsonOption(name, text) {
  try {
    return JSON.parse(text);
  } catch {
    throw new DrillError(`${name} must be JSON, like '{"sku":"A","qty":1}'`);
  }
}

function tokenFromDevVars(path) {
  const line = readFileSync(path, "utf8")
    .split("\n")
    .find((l) => /^\s*ADMIN_TOKEN\s*=/.test(l));
  return line?.replace(/^\s*ADMIN_TOKEN\s*=\s*"?([^"]*)"?\s*$/, "$1");
}

try {
  const args = process.argv.slice(2);
  if (args.some((arg) => arg === "--help" || arg === "-h")) {
    console.log(USAGE);
    process.exit(0);
  }
  const options = parse(args);
  const local = options.url === undefined;
  options.url ??= LOCAL_URL;
  if (options.command !== "drill" || !/^https?:\/\//.test(options.url)) {
    console.log(USAGE);
    process.exit(options.command === "help" ? 0 : 2);
  }
  const devVars =
    options.devVars ?? (local && !options.host && existsSync(LOCAL_DEV_VARS) ? LOCAL_DEV_VARS : undefined);
  const token = options.token ?? process.env.STAYOPEN_ADMIN_TOKEN ?? (devVars && tokenFromDevVars(devVars));
  if (!token)
    throw new DrillError("no admin token: pass --token, set STAYOPEN_ADMIN_TOKEN or use --dev-vars .dev.vars");
  const minutes = options.minutes ?? 3;
  if (!Number.isFinite(minutes) || minutes < 1 || minutes > 30) throw new DrillError("--minutes must be from 1 to 30");
  const url = options.host ? reachHostAt(options.url, options.host) : options.url;
  const { failed } = await runDrill({ ...options, url, token, minutes });
  process.exit(failed > 0 ? 1 : 0);
} catch (error) {
  if (!(error instanceof DrillError) && !(error instanceof SyntaxError)) throw error;
  console.error(`stayopen drill: ${error.message}`);
  process.exit(2);
}
