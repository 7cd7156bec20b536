// Starts demo/server.mjs as a child process for the tests. Lives outside
// demo/test/ because Node 20's runner executes every .mjs file found there.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../server.mjs", import.meta.url));
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Free ports found by binding port 0; all are held at once so the same port is never returned twice. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export function makeDataDir() {
  return mkdtempSync(join(tmpdir(), "stayopen-demo-"));
}

export function removeDataDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * @param {{dataDir: string, env?: Record<string,string>, ports?: number[]}} options
 *   pass `ports` to restart on the same addresses
 */
export async function startShop({ dataDir, env = {}, ports }) {
  const [port, controlPort] = ports ?? (await freePorts(2));
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      CONTROL_PORT: String(controlPort),
      DEMO_DATA_DIR: dataDir,
      DEMO_QUIET: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));

  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo shop did not start in time:\n${output}`)), START_TIMEOUT_MS);
    const check = () => {
      if (output.includes("demo shop listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", check);
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`demo shop exited with ${code} before listening:\n${output}`));
    });
  });

  return {
    shop: `http://127.0.0.1:${port}`,
    control: `http://127.0.0.1:${controlPort}`,
    ports: [port, controlPort],
    output: () => output,
    exited,
    /** Graceful stop; resolves with the exit code. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    /** Simulates a crash: no shutdown code runs. */
    async kill9() {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

/** fetch that can never wait longer than the test allows. */
export function get(url, init = {}) {
  return fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000), ...init });
}

export async function setMode(control, settings) {
  const res = await get(`${control}/mode`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(settings),
  });
  if (res.status !== 200) throw new Error(`setting mode failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function postOrder(shop, body, headers = {}) {
  return get(`${shop}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
