// Bench-only worker (`npm run bench:shops`), never deployed: it imports the
// registry code the real worker runs (src/config/shops.ts) and times it in its
// own isolate, bound to the benchmarked worker's ShopRegistry object. So the
// production bundle carries no timing code.
//
//   POST /register          body [{id, hosts, config, secrets}]: registry.put for each (the registry's RPC)
//   POST /hosts             body [host, …]: the hosts /lookup cycles through
//   GET  /lookup?n=&hosts=&mode=  n lookups (resolveShop, as every request does) over the first `hosts`
//                           hosts; mode=single without PLATFORM_TOKEN (single-shop mode); n=0 measures
//                           the request itself, for the caller to subtract
//   GET  /refresh?shop=     one registry refresh as an isolate makes it when the version changed: with
//                           `shop`, that shop was just replaced behind this isolate (one rebuilt);
//                           without, this isolate's copy is forgotten first (every shop rebuilt)
//   GET  /registry          the registry's version() and snapshot() as RPC calls: timings and size
//
// Timings come from inside (local workerd's clock moves while JavaScript runs;
// Cloudflare's stands still until I/O) and, as a check, from the caller.
import { REGISTRY_NAME } from "../src/config/registry.ts";
import { openSecrets } from "../src/config/secret-box.ts";
import { forgetShops, refreshShops, resolveShop } from "../src/config/shops.ts";

const registry = (env) => env.SHOP_REGISTRY.getByName(REGISTRY_NAME);

/** The benchmarked hosts, lower-case with a port, as a request's Host header arrives. */
let hosts = [];
/** This worker's env without the platform token: single-shop mode. One object, as a deployment's env is. */
let singleShopEnv;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const param = (name, fallback) => Number(url.searchParams.get(name) ?? fallback);
    if (url.pathname === "/register" && request.method === "POST") {
      const shops = await request.json();
      const outcomes = [];
      for (const shop of shops) {
        const { id, ...input } = shop;
        outcomes.push(await registry(env).put(id, input, "bench"));
      }
      return Response.json({ failed: outcomes.filter((outcome) => !outcome.ok) });
    }
    if (url.pathname === "/hosts" && request.method === "POST") {
      hosts = await request.json();
      return Response.json({ hosts: hosts.length });
    }
    if (url.pathname === "/lookup") {
      const n = param("n", 0);
      const count = Math.min(param("hosts", 1), hosts.length);
      singleShopEnv ??= { ...env, PLATFORM_TOKEN: undefined };
      const lookupEnv = url.searchParams.get("mode") === "single" ? singleShopEnv : env;
      // Loaded before the loop: the loop measures the lookup from memory, as requests within 5 s make it.
      if (!(await resolveShop(lookupEnv, hosts[0])))
        return Response.json({ error: `no shop for ${hosts[0]}` }, { status: 500 });
      let found = 0;
      const started = performance.now();
      for (let i = 0; i < n; i++) if (await resolveShop(lookupEnv, hosts[i % count])) found++;
      return Response.json({ n, found, inIsolateMs: performance.now() - started });
    }
    if (url.pathname === "/refresh") {
      const shop = url.searchParams.get("shop");
      if (shop) {
        const current = (await registry(env).snapshot()).shops.find((s) => s.id === shop);
        if (!current) return Response.json({ error: `no shop ${shop}` }, { status: 404 });
        await resolveShop(env, hosts[0]); // this isolate's copy is current before the change
        // A replacement with one variable changed, made behind this isolate (as another isolate's platform API would).
        const config = { ...current.config, SHOP_NAME: `${current.config.SHOP_NAME ?? shop} (renamed ${Date.now()})` };
        const secrets = (await openSecrets(env.PLATFORM_TOKEN, shop, current.secrets)) ?? {};
        const put = await registry(env).put(shop, { hosts: current.hosts, config, secrets }, "bench");
        if (!put.ok) return Response.json({ error: put.conflict }, { status: 409 });
      } else {
        forgetShops(env);
      }
      const started = Date.now();
      await refreshShops(env);
      return Response.json({ inIsolateMs: Date.now() - started, found: Boolean(await resolveShop(env, hosts[0])) });
    }
    if (url.pathname === "/registry") {
      const stub = registry(env);
      let started = Date.now();
      const version = await stub.version();
      const versionMs = Date.now() - started;
      started = Date.now();
      const snapshot = await stub.snapshot();
      const snapshotMs = Date.now() - started;
      return Response.json({
        version,
        versionMs,
        snapshotMs,
        shops: snapshot.shops.length,
        snapshotBytes: new TextEncoder().encode(JSON.stringify(snapshot)).length,
      });
    }
    return new Response("not found", { status: 404 });
  },
};
