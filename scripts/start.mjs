// `npm start`: the demo shop and stayopen in local workerd (wrangler dev, persisted state), side by side.
import { spawn } from "node:child_process";
import { localSecrets } from "./local-secrets.mjs";

const WORKER_PORT = Number(process.env.STAYOPEN_PORT ?? 8787);
const SHOP_PORT = Number(process.env.DEMO_PORT ?? 8788);
const CONTROL_PORT = Number(process.env.DEMO_CONTROL_PORT ?? 8789);
const BACKUP = process.argv.includes("--backup");
const BACKUP_PORT = Number(process.env.DEMO_BACKUP_PORT ?? 8790);
const BACKUP_CONTROL_PORT = Number(process.env.DEMO_BACKUP_CONTROL_PORT ?? 8791);
const secrets = localSecrets();

const children = [];
function run(name, command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = (line) => (line ? `${name.padEnd(8)}| ${line}` : "");
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream.on("data", (data) => {
      buffered += data;
      const lines = buffered.split("\n");
      buffered = lines.pop();
      for (const line of lines) {
        if (line.trim()) console.log(prefix(line));
        if (name === "stayopen" && /Ready on/i.test(line)) announce();
      }
    });
  }
  child.on("exit", (code) => {
    console.log(`${name} exited (${code}); stopping.`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

let announced = false;
function announce() {
  if (announced) return;
  announced = true;
  const shop = `http://127.0.0.1:${WORKER_PORT}`;
  const control = `http://127.0.0.1:${CONTROL_PORT}`;
  console.log(`
  ──────────────────────────────────────────────────────────────────────────
   stayopen is running in front of the demo shop:   ${shop}
   (demo shop origin directly: http://127.0.0.1:${SHOP_PORT}, control: ${control})

   60-second outage drill:
   1. Browse ${shop}/ and a few products (${shop}/p/1, ${shop}/c/coffee).
   2. Stop the shop:     curl -X POST '${control}/mode?mode=down'
   3. Keep browsing: pages you visited come back from snapshots with a banner;
      ${shop}/login (never visited, not in the sitemap) shows the branded
      "be right back" page.
      Status: ${shop}/__stayopen/status
   4. Place an order while the shop is down:
      curl -i -X POST ${shop}/api/orders -H 'content-type: application/json' \\
           -H 'Idempotency-Key: demo-1' \\
           -d '{"sku":"COF-HUIL-250","qty":1,"name":"Ada","email":"ada@example.com","address":"1 Main St"}'
      then open the statusUrl it returns under ${shop}.
   5. Start the shop again: curl -X POST '${control}/mode?mode=up'
      Within seconds the queue drains: curl http://127.0.0.1:${SHOP_PORT}/api/orders
   The cron (pre-warm of CRITICAL_PATHS, backups) runs every 5 minutes in production;
   run it now: curl ${shop}/__scheduled
   Admin API token (from .dev.vars): ${secrets.ADMIN_TOKEN}
      curl -H 'authorization: Bearer ${secrets.ADMIN_TOKEN}' ${shop}/__stayopen/admin/status
   ${BACKUP ? `Backup demo shop (read-only): http://127.0.0.1:${BACKUP_PORT}, control http://127.0.0.1:${BACKUP_CONTROL_PORT}\n   ` : ""}Ctrl-C stops everything.
  ──────────────────────────────────────────────────────────────────────────
`);
}

function shutdown(code) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

run("shop", process.execPath, ["demo/server.mjs"], {
  PORT: String(SHOP_PORT),
  CONTROL_PORT: String(CONTROL_PORT),
  REPLAY_SECRET: secrets.REPLAY_SECRET,
  DEMO_QUIET: "1",
});
if (BACKUP) {
  run("backup", process.execPath, ["demo/server.mjs"], {
    PORT: String(BACKUP_PORT),
    CONTROL_PORT: String(BACKUP_CONTROL_PORT),
    SHOP_LABEL: "backup",
    DEMO_DATA_DIR: "demo/.data-backup",
    REPLAY_SECRET: secrets.REPLAY_SECRET,
    DEMO_QUIET: "1",
  });
}
const backupVars = BACKUP
  ? ["--var", `BACKUP_ORIGINS:${JSON.stringify([{ url: `http://127.0.0.1:${BACKUP_PORT}`, orders: false }])}`]
  : [];
run(
  "stayopen",
  process.execPath,
  [
    "node_modules/wrangler/bin/wrangler.js",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(WORKER_PORT),
    "--persist-to",
    ".wrangler/state",
    "--var",
    `ORIGIN_URL:http://127.0.0.1:${SHOP_PORT}`,
    "--var",
    `SHOP_URL:http://127.0.0.1:${WORKER_PORT}`,
    ...backupVars,
    "--show-interactive-dev-session=false",
    // Local dev never fires the cron by itself: GET /__scheduled runs it (pre-warm, backups, export).
    "--test-scheduled",
  ],
  {
    WRANGLER_SEND_METRICS: "false",
    CI: process.env.CI ?? "",
    // The demo needs no real request.cf; skipping the download keeps start-up offline and quiet.
    CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
  },
);
