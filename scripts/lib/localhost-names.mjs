// Browsers resolve every *.localhost name to this machine (RFC 6761), so the many-shops demo lives at
// http://alpha.localhost:8787 with no DNS set-up; Node asks the system resolver, which usually knows only
// "localhost". This makes Node's fetch and http in this process resolve them as a browser does.
import dns from "node:dns";

let installed = false;
/** Names this process reaches at another address (`reachHostAt`), lower-case. */
const pinned = new Map();

function install() {
  if (installed) return;
  installed = true;
  const lookup = dns.lookup;
  // net.connect looks dns.lookup up on every connection, so replacing it here reaches fetch (undici) too.
  dns.lookup = function lookupLocalhostNames(hostname, options, callback) {
    const wanted = hostname.toLowerCase().replace(/\.$/, "");
    const name = pinned.get(wanted) ?? (/\.localhost$/.test(wanted) ? "127.0.0.1" : hostname);
    return lookup.call(this, name, options, callback);
  };
}

export function resolveLocalhostNames() {
  install();
}

/**
 * The URL of `host` (one shop of a platform) reached at `url`'s address: the
 * requests carry `host` (Host header, TLS name) while the connection goes where
 * `url` points, as `curl --connect-to` does. fetch ignores a Host header.
 *
 * @example reachHostAt("http://127.0.0.1:8787", "alpha.localhost") // "http://alpha.localhost:8787"
 */
export function reachHostAt(url, host) {
  install();
  const target = new URL(url);
  const address = target.hostname.replace(/^\[|\]$/g, "");
  const name = host.toLowerCase().replace(/:\d+$/, "");
  if (name !== address.toLowerCase()) pinned.set(name, address);
  target.hostname = name;
  return target.toString().replace(/\/$/, "");
}
