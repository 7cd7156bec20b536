import { Hono } from "hono";
import { admin } from "./admin";
import { serveCatalog } from "./catalog/serve";
import { resolveShop } from "./config";
import type { AppEnv, Env } from "./env";
import { renderError } from "./http/errors";
import { passThrough } from "./origin/pass-through";
import { statusHtml, statusJson } from "./shopper/status";

/**
 * The request flow, top to bottom: stayopen's own routes, then order routes,
 * then catalog reads, then everything else proxied.
 */
const app = new Hono<AppEnv>();

app.use(async function attachShop(c, next) {
  c.set("shop", resolveShop(c.env, new URL(c.req.url).host));
  await next();
});

app.get("/__stayopen/assets/*", async (c) => {
  const asset = await c.env.ASSETS.fetch(c.req.raw);
  const response = new Response(asset.body, asset);
  response.headers.set("x-stayopen-source", "edge");
  return response;
});
app.get("/__stayopen/status.json", statusJson);
app.get("/__stayopen/status", statusHtml);
app.route("/__stayopen/admin", admin);
app.all("/__stayopen/*", (c) => c.json({ error: "not_found" }, 404, { "x-stayopen-source": "edge" }));

app.on(["GET", "HEAD"], "*", serveCatalog);
app.all("*", passThrough);

app.onError(renderError);

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
