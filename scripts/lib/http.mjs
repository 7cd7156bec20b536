// fetch for harness code: never waits longer than asked, never follows
// redirects silently, reads the whole body, reports network errors as values.

/** A shopper's cookies: what Set-Cookie gave it, sent back on every request. */
export class CookieJar {
  #cookies = new Map();
  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
  get(name) {
    return this.#cookies.get(name);
  }
  store(response) {
    for (const line of response.headers.getSetCookie?.() ?? []) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      if (at > 0) this.#cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
}

/**
 * @returns {Promise<{ok: boolean, status: number, headers: Headers, text: string, ms: number, error?: string, setCookies: string[]}>}
 *   status 0 with `error` when the request failed on the network (or its body broke off).
 */
export async function request(url, { method = "GET", headers = {}, body, jar, timeoutMs = 10_000 } = {}) {
  const started = performance.now();
  const sent = { ...headers };
  if (jar && jar.header()) sent.cookie = jar.header();
  try {
    const res = await fetch(url, {
      method,
      headers: sent,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    jar?.store(res);
    return {
      ok: true,
      status: res.status,
      headers: res.headers,
      text,
      ms: performance.now() - started,
      setCookies: res.headers.getSetCookie?.() ?? [],
    };
  } catch (error) {
    return {
      ok: false,
      status: 0,
      headers: new Headers(),
      text: "",
      ms: performance.now() - started,
      // "ECONNREFUSED", "TimeoutError", "bad port": whatever names the trouble best.
      error: error.cause?.code ?? (error.name === "TypeError" ? error.cause?.message : error.name) ?? String(error),
      setCookies: [],
    };
  }
}

export function json(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
