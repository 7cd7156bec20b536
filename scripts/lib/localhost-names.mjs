// Browsers resolve every *.localhost name to this machine (RFC 6761), so the many-shops demo lives at
// http://alpha.localhost:8787 with no DNS set-up; Node asks the system resolver, which usually knows only
// "localhost". This makes Node's fetch and http in this process resolve them as a browser does.
import dns from "node:dns";

let installed = false;

export function resolveLocalhostNames() {
  if (installed) return;
  installed = true;
  const lookup = dns.lookup;
  // net.connect looks dns.lookup up on every connection, so replacing it here reaches fetch (undici) too.
  dns.lookup = function lookupLocalhostNames(hostname, options, callback) {
    const name = /\.localhost\.?$/i.test(hostname) ? "127.0.0.1" : hostname;
    return lookup.call(this, name, options, callback);
  };
}
