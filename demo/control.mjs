// The control API on its own port, so tests and demos can break the shop
// without the control channel breaking with it.
import { parseModeRequest } from "./failure-modes.mjs";
import { BodyTooLargeError, parseForm, readBody, sendJson } from "./http.mjs";

const MAX_TRACKED_PATHS = 1000;
const CONTROL_BODY_LIMIT = 16 * 1024;

export function createStats() {
  let requests = 0;
  let byPath = new Map();
  return {
    record(path) {
      requests += 1;
      // A scanner hitting random URLs must not grow this without bound.
      const key = byPath.has(path) || byPath.size < MAX_TRACKED_PATHS ? path : "(other)";
      byPath.set(key, (byPath.get(key) ?? 0) + 1);
    },
    snapshot: () => ({ requests, byPath: Object.fromEntries(byPath) }),
    reset() {
      requests = 0;
      byPath = new Map();
    },
  };
}

export function createControlHandler({ modes, stats, store, allowReset }) {
  const routes = {
    "GET /mode": (req, res) => sendJson(res, 200, modes.describe()),
    "POST /mode": async (req, res, url) => {
      let input;
      try {
        input = { ...Object.fromEntries(url.searchParams), ...(await readInput(req)) };
      } catch (error) {
        if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: "payload_too_large" });
        return sendJson(res, 400, { error: "invalid_body", message: "Send JSON, a form body or ?mode=." });
      }
      const { settings, error } = parseModeRequest(input);
      if (error) return sendJson(res, 400, { error: "invalid_mode", message: error });
      try {
        await modes.set(settings);
      } catch (failure) {
        return sendJson(res, 500, { error: "mode_change_failed", message: failure.message, ...modes.describe() });
      }
      sendJson(res, 200, modes.describe());
    },
    "GET /stats": (req, res) => sendJson(res, 200, { ...stats.snapshot(), orders: store.count() }),
    "POST /reset": (req, res) => {
      if (!allowReset)
        return sendJson(res, 403, { error: "reset_disabled", message: "Start the demo with DEMO_ALLOW_RESET=1." });
      store.clear();
      stats.reset();
      sendJson(res, 200, { ok: true });
    },
  };

  return async function handleControl(req, res) {
    const url = new URL(req.url, "http://control.invalid");
    const route = routes[`${req.method} ${url.pathname}`];
    if (route) return route(req, res, url);
    const known = Object.keys(routes).some((key) => key.endsWith(` ${url.pathname}`));
    sendJson(res, known ? 405 : 404, { error: known ? "method_not_allowed" : "not_found" });
  };
}

async function readInput(req) {
  const text = (await readBody(req, CONTROL_BODY_LIMIT)).toString("utf8");
  const trimmed = text.trim();
  // Sniff instead of trusting Content-Type: `curl -d '{"mode":"down"}'` labels JSON as a form.
  if (!trimmed.startsWith("{")) return parseForm(trimmed);
  return JSON.parse(trimmed);
}
