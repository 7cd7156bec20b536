// Which of stayopen's routes exist yet. A route that is not built falls into the
// `/__stayopen/*` catch-all, which answers exactly 404 {"error":"not_found"};
// every probe here is read-only or sends input a built route must refuse.
import { NotBuiltYet } from "./checks.mjs";

export const FEATURES = {
  orders: {
    issue: 4,
    route: "GET /__stayopen/admin/orders",
    probe: { path: "/__stayopen/admin/orders?state=dead", admin: true },
  },
  replay: {
    issue: 4,
    route: "POST /__stayopen/admin/replay",
    probe: { path: "/__stayopen/admin/orders?state=dead", admin: true },
  },
  maintenance: {
    issue: 5,
    route: "POST /__stayopen/admin/maintenance",
    // Not a boolean: a built route refuses it with 400 and changes nothing.
    probe: { path: "/__stayopen/admin/maintenance", admin: true, method: "POST", body: { on: "probe" } },
  },
  readiness: {
    issue: 5,
    route: "GET /__stayopen/admin/readiness",
    probe: { path: "/__stayopen/admin/readiness", admin: true },
  },
  metrics: {
    issue: 5,
    route: "GET /__stayopen/admin/metrics",
    probe: { path: "/__stayopen/admin/metrics", admin: true },
  },
  dashboard: {
    issue: 5,
    route: "GET /__stayopen/admin (HTML login)",
    probe: { path: "/__stayopen/admin", html: true },
  },
  checkout: { issue: 6, route: "GET /__stayopen/checkout", probe: { path: "/__stayopen/checkout" } },
  notify: {
    issue: 6,
    route: "POST /__stayopen/notify",
    probe: { path: "/__stayopen/notify", method: "POST", body: { email: "not-an-email" } },
  },
};
for (const [name, feature] of Object.entries(FEATURES)) feature.name = name;

export function isCatchAll404(status, text) {
  if (status !== 404) return false;
  try {
    const body = JSON.parse(text);
    return Object.keys(body).length === 1 && body.error === "not_found";
  } catch {
    return false;
  }
}

/** Probes every feature once; returns {has(name), require(name), built, pending}. */
export async function probeFeatures(base, adminToken) {
  const built = {};
  await Promise.all(
    Object.entries(FEATURES).map(async ([name, { probe }]) => {
      const headers = { accept: probe.html ? "text/html" : "application/json" };
      if (probe.admin && adminToken) headers.authorization = `Bearer ${adminToken}`;
      if (probe.body) headers["content-type"] = "application/json";
      try {
        const res = await fetch(base + probe.path, {
          method: probe.method ?? "GET",
          headers,
          body: probe.body ? JSON.stringify(probe.body) : undefined,
          redirect: "manual",
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        // The dashboard shares its prefix with the admin API, whose guard answers 401 JSON before any route.
        built[name] = probe.html
          ? (res.headers.get("content-type") ?? "").includes("text/html") || res.status === 303 || res.status === 302
          : !isCatchAll404(res.status, text);
      } catch {
        built[name] = false;
      }
    }),
  );
  return {
    built,
    has: (name) => built[name] === true,
    /** Throws NotBuiltYet (a visible skip) when the feature's route is missing. */
    require(name) {
      if (!built[name]) throw new NotBuiltYet(FEATURES[name]);
    },
    feature: (name) => FEATURES[name],
    pending: () => Object.keys(built).filter((name) => !built[name]),
  };
}
