// Failure on demand: the ways a real shop origin breaks, switchable at run time.
import { sendHtml } from "./http.mjs";
import { originErrorPage } from "./pages.mjs";

const MODES = ["up", "down", "error", "hang", "slow", "flap"];

const DEFAULTS = { status: 500, delayMs: 2000, periodMs: 5000 };
const LIMITS = { status: [200, 599], delayMs: [0, 600_000], periodMs: [50, 3_600_000] };

/** Validates `{mode, status?, delayMs?, periodMs?}` (numbers or numeric strings); omitted fields take defaults. */
export function parseModeRequest(input) {
  if (!MODES.includes(input.mode)) return { error: `mode must be one of: ${MODES.join(", ")}` };
  const settings = { mode: input.mode };
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const raw = input[name];
    if (raw === undefined || raw === "") {
      settings[name] = DEFAULTS[name];
      continue;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      return { error: `${name} must be a whole number from ${min} to ${max}` };
    }
    settings[name] = value;
  }
  return { settings };
}

export function createFailureModes(listener) {
  let state = { mode: "up", ...DEFAULTS, since: Date.now() };
  const held = new Set(); // responses parked by "hang"
  let transition = Promise.resolve();

  // "flap" starts with an error period so switching to it shows an effect at once.
  function effectiveMode() {
    if (state.mode !== "flap") return state.mode;
    return Math.floor((Date.now() - state.since) / state.periodMs) % 2 === 0 ? "error" : "up";
  }

  return {
    describe() {
      const { mode, status, delayMs, periodMs, since } = state;
      return {
        mode,
        effectiveMode: effectiveMode(),
        status,
        delayMs,
        periodMs,
        since: new Date(since).toISOString(),
        listening: listener.listening,
        port: listener.port,
        hangingRequests: held.size,
      };
    },

    /** Switches mode; transitions run one at a time so "down" then "up" can never interleave. */
    set(settings) {
      const apply = async () => {
        state = { ...DEFAULTS, ...settings, since: Date.now() };
        // Leaving "hang" drops the parked connections, as a wedged server that gets restarted would.
        for (const res of held) res.socket?.destroy();
        held.clear();
        if (settings.mode === "down") await listener.down();
        else await listener.up();
      };
      transition = transition.then(apply, apply);
      return transition;
    },

    /** Runs serve(req, res) unless the current mode says otherwise. */
    intercept(req, res, serve) {
      switch (effectiveMode()) {
        case "hang":
          held.add(res);
          res.on("close", () => held.delete(res));
          return;
        case "error":
          return sendHtml(res, state.status, originErrorPage(state.status), { "cache-control": "no-store" });
        case "slow": {
          const timer = setTimeout(() => serve(req, res), state.delayMs);
          res.on("close", () => clearTimeout(timer));
          return;
        }
        default: // "up", or a request that slipped in while going "down"
          return serve(req, res);
      }
    },
  };
}
