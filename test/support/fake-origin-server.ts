/**
 * Fake origins for the workerd tests, run in Node by vitest's globalSetup.
 * A control server creates origins on fresh loopback ports; each one records
 * every request and can be told to answer, fail with a status, hang, reset,
 * or stop listening (connection refused), like a real origin in trouble.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { OriginMode } from "./origin-mode";

/** `bodyIncludes`: the route answers only requests whose body contains this text (a shop refusing one order). */
type Route = {
  status: number;
  headers: Record<string, string>;
  body: string;
  chunks?: number;
  delayMs?: number;
  bodyIncludes?: string;
};
type Recorded = { method: string; path: string; headers: Record<string, string>; body: string; at: number };

class FakeOrigin {
  mode: OriginMode = { mode: "ok" };
  routes = new Map<string, Route>();
  requests: Recorded[] = [];
  sockets = new Set<Socket>();
  server: http.Server;
  port = 0;

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /**
   * Listens on a port no origin of this run had before. An origin URL keys
   * shared state (its monitor Durable Object) that outlives one test, and the
   * OS does hand a freed port out again.
   */
  async listenOnNewPort(handedOut: Set<number>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.listen();
      if (!handedOut.has(this.port)) break;
      await this.close();
      if (attempt === 100) throw new Error("no fresh loopback port after 100 attempts");
    }
    handedOut.add(this.port);
  }

  async setMode(mode: OriginMode): Promise<void> {
    const wasRefusing = this.mode.mode === "refuse";
    this.mode = mode;
    if (mode.mode === "refuse" && !wasRefusing) await this.close();
    if (mode.mode !== "refuse" && wasRefusing) await this.listen(this.port);
    if (mode.mode !== "hang") this.dropSockets();
  }

  dropSockets(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.dropSockets();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://origin.test");
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]),
    );
    const requestBody = Buffer.concat(chunks).toString("utf8");
    this.requests.push({
      method: req.method ?? "GET",
      path: url.pathname + url.search,
      headers,
      body: requestBody,
      at: Date.now(),
    });

    switch (this.mode.mode) {
      case "hang":
        return;
      case "reset":
        req.socket.destroy();
        return;
      case "status":
        res
          .writeHead(this.mode.status, { "content-type": "text/html" })
          .end(`<h1>origin error ${this.mode.status}</h1>`);
        return;
      case "slow":
        await new Promise((resolve) => setTimeout(resolve, (this.mode as { delayMs: number }).delayMs));
        break;
    }
    const routed = this.routes.get(url.pathname + url.search) ?? this.routes.get(url.pathname);
    const route =
      routed && (routed.bodyIncludes === undefined || requestBody.includes(routed.bodyIncludes))
        ? routed
        : defaultRoute(url.pathname);
    // One slow URL (a search that takes too long) while the rest of the shop answers at once.
    if (route.delayMs) await new Promise((resolve) => setTimeout(resolve, route.delayMs));
    if (this.mode.mode === "reset-mid-body") {
      res.writeHead(200, { "content-type": "text/html", "content-length": String(route.body.length * 2) });
      res.write(route.body);
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    res.writeHead(route.status, route.headers);
    if (req.method === "HEAD") return void res.end();
    const parts = route.chunks ?? 1;
    const size = Math.ceil(route.body.length / parts);
    for (let i = 0; i < parts; i++) res.write(route.body.slice(i * size, (i + 1) * size));
    res.end();
  }
}

function defaultRoute(path: string): Route {
  return {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "public, max-age=60" },
    body: `<!doctype html><html><head><title>Page ${path}</title></head><body><h1>Page ${path}</h1><p>fresh from the origin</p></body></html>`,
  };
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Starts the control server; returns its URL and a function that stops everything. */
export async function startFakeOriginControl(): Promise<{ url: string; stop: () => Promise<void> }> {
  const origins = new Map<number, FakeOrigin>();
  const handedOut = new Set<number>();
  let nextId = 1;
  const control = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    try {
      const parts = (req.url ?? "/").split("?")[0]!.split("/").filter(Boolean);
      if (req.method === "POST" && parts.length === 1 && parts[0] === "origins") {
        const origin = new FakeOrigin();
        await origin.listenOnNewPort(handedOut);
        const id = nextId++;
        origins.set(id, origin);
        return send(201, { id, url: `http://127.0.0.1:${origin.port}` });
      }
      const origin = origins.get(Number(parts[1]));
      if (parts[0] !== "origins" || !origin) return send(404, { error: "no such origin" });
      const action = parts[2];
      if (req.method === "POST" && action === "mode") {
        await origin.setMode((await readJson(req)) as OriginMode);
        return send(200, { ok: true });
      }
      if (req.method === "POST" && action === "routes") {
        const body = await readJson(req);
        origin.routes.set(String(body.path), {
          status: Number(body.status ?? 200),
          headers: (body.headers as Record<string, string>) ?? { "content-type": "text/html" },
          body: String(body.body ?? ""),
          chunks: body.chunks ? Number(body.chunks) : undefined,
          delayMs: body.delayMs ? Number(body.delayMs) : undefined,
          bodyIncludes: body.bodyIncludes === undefined ? undefined : String(body.bodyIncludes),
        });
        return send(200, { ok: true });
      }
      if (req.method === "GET" && action === "requests") return send(200, { requests: origin.requests });
      if (req.method === "DELETE" && action === undefined) {
        await origin.close();
        origins.delete(Number(parts[1]));
        return send(200, { ok: true });
      }
      return send(404, { error: "unknown control call" });
    } catch (error) {
      return send(500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const { port } = control.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await Promise.all([...origins.values()].map((origin) => origin.close()));
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
    },
  };
}
