// A proxy in front of a real origin that breaks on command, the ways origins
// really break: added latency, a hang (accepts, never answers), refused
// connections (stops listening), a reset before any answer, a reset in the
// middle of the body, 500s, and flapping between several of these.
//
// `brokenPaths`: URLs the shop itself is broken on (always 500, whatever the mode),
// as a product page that crashes while the rest of the shop is fine.
//
// Module: startFaultProxy({target, brokenPaths?}) → {url, setMode(settings), describe(), close()}.
// CLI:    node scripts/chaos/fault-proxy.mjs --target http://127.0.0.1:8788 [--port 8790] [--control 8791]
//         then: curl -X POST 'http://127.0.0.1:8791/mode?mode=hang'
import http from "node:http";
import { pathToFileURL } from "node:url";

export const MODES = ["pass", "latency", "status", "hang", "refuse", "reset", "reset-mid-body", "flap"];
const DEFAULTS = { latencyMs: 300, status: 500, periodMs: 2000, cycle: ["pass", "status", "refuse", "reset-mid-body"] };
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"];

export async function startFaultProxy({ target, port = 0, host = "127.0.0.1", brokenPaths = [] }) {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let settings = { mode: "pass", ...DEFAULTS };
  let flapTimer = null;
  let server = null;
  const sockets = new Set();
  const held = new Set();
  const counts = {};

  function effective() {
    if (settings.mode !== "flap") return settings.mode;
    return settings.cycle[Math.floor((Date.now() - settings.since) / settings.periodMs) % settings.cycle.length];
  }

  function forward(req, res, { cutBody = false } = {}) {
    const headers = { ...req.headers, host: upstream.host };
    for (const name of HOP_BY_HOP) delete headers[name];
    const outgoing = http.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        agent,
      },
      (answer) => {
        const answerHeaders = { ...answer.headers };
        for (const name of HOP_BY_HOP) delete answerHeaders[name];
        res.writeHead(answer.statusCode, answerHeaders);
        if (!cutBody) return answer.pipe(res);
        answer.once("data", (chunk) => {
          res.write(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))), () => res.socket?.destroy());
          answer.destroy();
        });
        answer.once("end", () => res.socket?.destroy());
      },
    );
    outgoing.on("error", () => res.socket?.destroy());
    req.pipe(outgoing);
  }

  function handle(req, res) {
    const mode = effective();
    counts[mode] = (counts[mode] ?? 0) + 1;
    if (mode !== "hang" && brokenPaths.includes(new URL(req.url, "http://proxy").pathname)) {
      req.resume();
      res.writeHead(500, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      return res.end("<!doctype html><title>500</title><h1>this page is broken at the shop</h1>\n");
    }
    switch (mode) {
      case "latency": {
        const timer = setTimeout(() => forward(req, res), settings.latencyMs);
        res.on("close", () => clearTimeout(timer));
        return;
      }
      case "status":
        req.resume();
        res.writeHead(settings.status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        return res.end(
          `<!doctype html><title>${settings.status}</title><h1>${settings.status} from the fault proxy</h1>\n`,
        );
      case "hang":
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      case "reset":
      case "refuse": // a request that slipped in while the listener closes
        return req.socket.destroy();
      case "reset-mid-body":
        return forward(req, res, { cutBody: true });
      default:
        return forward(req, res);
    }
  }

  async function listen() {
    if (server) return;
    const next = http.createServer({ keepAliveTimeout: 5_000 }, handle);
    next.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise((done, fail) => {
      next.once("error", fail);
      next.listen(port, host, () => done());
    });
    port = next.address().port;
    server = next;
  }

  async function stopListening() {
    if (!server) return;
    const closing = new Promise((done) => server.close(() => done()));
    server = null;
    for (const socket of sockets) socket.destroy();
    await closing;
  }

  // In "flap", listening follows the cycle so "refuse" is a real refused connection.
  async function followCycle() {
    if (effective() === "refuse") await stopListening();
    else await listen();
  }

  await listen();

  return {
    url: `http://${host}:${port}`,
    describe: () => ({ ...settings, effective: effective(), listening: server !== null, counts: { ...counts } }),
    /** {mode, latencyMs?, status?, periodMs?, cycle?}; changing mode drops requests held by "hang". */
    async setMode(next) {
      if (!MODES.includes(next.mode)) throw new Error(`mode must be one of ${MODES.join(", ")}`);
      clearInterval(flapTimer);
      flapTimer = null;
      for (const res of held) res.socket?.destroy();
      held.clear();
      settings = { ...DEFAULTS, ...next, since: Date.now() };
      if (next.mode === "refuse") await stopListening();
      else await listen();
      if (next.mode === "flap") flapTimer = setInterval(() => followCycle().catch(() => {}), 50);
    },
    async close() {
      clearInterval(flapTimer);
      for (const res of held) res.socket?.destroy();
      await stopListening();
      agent.destroy();
    },
  };
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, "")] = argv[i + 1];
  return args;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = parseArgs(process.argv.slice(2));
  if (!args.target) {
    console.error(
      "usage: node scripts/chaos/fault-proxy.mjs --target http://127.0.0.1:8788 [--port 8790] [--control 8791]",
    );
    process.exit(2);
  }
  const proxy = await startFaultProxy({ target: args.target, port: Number(args.port ?? 8790) });
  const control = http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://control.invalid");
    try {
      if (req.method === "POST" && url.pathname === "/mode") {
        const next = Object.fromEntries(url.searchParams);
        for (const name of ["latencyMs", "status", "periodMs"])
          if (next[name] !== undefined) next[name] = Number(next[name]);
        if (next.cycle) next.cycle = next.cycle.split(",");
        await proxy.setMode(next);
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(proxy.describe()));
    } catch (error) {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: error.message }));
    }
  });
  control.listen(Number(args.control ?? 8791), "127.0.0.1", () =>
    console.log(`fault proxy ${proxy.url} → ${args.target} (control http://127.0.0.1:${control.address().port})`),
  );
}
