// One request with a Host header of our choosing (fetch may not set Host): how a
// shop's host reaches a worker listening on 127.0.0.1, as a CDN would send it.
import http from "node:http";

/** @returns {Promise<{status: number, headers: Headers, text: string, ms: number}>} status 0 on a network error */
export function requestAs(url, host, { method = "GET", headers = {}, body, timeoutMs = 10_000 } = {}) {
  const started = performance.now();
  const target = new URL(url);
  return new Promise((done) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: { ...headers, host },
        timeout: timeoutMs,
        // A connection of its own: no race with a keep-alive connection the server is closing.
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => {
          const received = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            for (const one of [value].flat()) if (one !== undefined) received.append(name, one);
          done({ status: res.statusCode ?? 0, headers: received, text, ms: performance.now() - started });
        });
        res.on("error", (error) => done({ status: 0, headers: new Headers(), text: String(error), ms: 0 }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (error) => done({ status: 0, headers: new Headers(), text: String(error), ms: 0 }));
    req.end(body);
  });
}
