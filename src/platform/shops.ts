import { Hono, type Context } from "hono";
import type { AppEnv } from "../config/env";
import { putShop, removeShop, shopById } from "../config/shops";
import { rosterOrigins } from "../origin/sync";
import { readJson } from "../http/body";
import { ordersAdmin } from "../admin/orders";
import { errorResponse, problem } from "../http/errors";
import { queueDepth } from "../orders/queue";
import { log } from "../log";
import { iso } from "../time";
import { platformOverview, storedShops } from "./overview";
import { parseShopRequest, shopIdProblem, type FieldProblem } from "./shop-request";
import { PLATFORM_BASE } from "../http/wire";

/**
 * The platform API's shops (mounted behind the platform token): create or
 * replace a shop with one PUT, read it back without its secrets, delete it,
 * list every shop with its state, and act on the orders a deleted shop left.
 */
export const shopsApi = new Hono<AppEnv>();

/** A shop's whole configuration fits easily (ORDER_REPLIES and BACKUP_ORIGINS are the long ones). */
const MAX_SHOP_BYTES = 65_536;

/** Who made a change, for the registry's log: the platform token's holder, by client address. */
const actorOf = (c: Context<AppEnv>) => `platform token from ${c.req.header("cf-connecting-ip") ?? "unknown address"}`;

function invalid(c: Context<AppEnv>, problems: FieldProblem[]): Response {
  const [first] = problems as [FieldProblem, ...FieldProblem[]];
  return errorResponse(c, problem("invalid_shop", first.message, {}, { field: first.field, problems }));
}

/** The page after the `after` query's shop id; `next` is the link to the page after this one, or null. */
async function overviewPage(c: Context<AppEnv>, path: string) {
  const page = await platformOverview(c.env, c.req.query("after") ?? null);
  return {
    rows: page.shops,
    next: page.next ? `${PLATFORM_BASE}${path}?after=${encodeURIComponent(page.next)}` : null,
  };
}

shopsApi.get("/status", async (c) => {
  const { rows, next } = await overviewPage(c, "/status");
  return c.json({
    shops: Object.fromEntries(
      rows.map((row) => [row.id, row.deletedAt ? { ...row.status, deletedAt: row.deletedAt } : row.status]),
    ),
    next,
  });
});

shopsApi.get("/shops", async (c) => {
  const { rows, next } = await overviewPage(c, "/shops");
  return c.json({
    shops: rows.map((row) => ({
      id: row.id,
      hosts: row.hosts,
      origin: row.status.origin,
      mode: row.status.mode,
      queuedOrders: row.status.queuedOrders,
      ordersNeedingAttention: row.ordersNeedingAttention,
      deletedAt: row.deletedAt,
    })),
    next,
  });
});

shopsApi.put("/shops/:id", async (c) => {
  const id = c.req.param("id");
  const badId = shopIdProblem(id);
  if (badId) return invalid(c, [badId]);
  const parsed = parseShopRequest(await readJson(c.req.raw, MAX_SHOP_BYTES));
  if (!parsed.ok) return invalid(c, parsed.problems);
  const result = await putShop(c.env, id, parsed.value, actorOf(c));
  if (!result.ok) {
    const { host, shop } = result.conflict;
    return errorResponse(c, problem("host_taken", `${host} belongs to shop ${shop}.`, {}, { host, shop }));
  }
  // Monitors of origins the new configuration no longer names stop probing (and end their outage) now,
  // not at the shop's next request.
  // Best effort: the shop was saved, and its next request rosters its monitors anyway.
  try {
    const saved = await shopById(c.env, id);
    if (saved) await rosterOrigins(c.env, saved);
  } catch (error) {
    log("warn", "shop_monitors_not_rostered", { shop: id, error: String(error) });
  }
  // Secrets are never echoed: their names say which are set.
  const body = {
    id,
    hosts: parsed.value.hosts,
    config: parsed.value.config,
    secrets: Object.keys(parsed.value.secrets).sort(),
    version: result.version,
  };
  return result.created ? c.json(body, 201, { location: `${PLATFORM_BASE}/shops/${id}` }) : c.json(body, 200);
});

shopsApi.get("/shops/:id", async (c) => {
  const stored = (await storedShops(c.env)).find((shop) => shop.id === c.req.param("id"));
  if (!stored) return errorResponse(c, problem("not_found", "No shop has this id."));
  return c.json({
    id: stored.id,
    hosts: stored.hosts,
    config: stored.config,
    secrets: stored.secretNames,
    createdAt: iso(stored.createdAt),
    updatedAt: iso(stored.updatedAt),
    deletedAt: iso(stored.deletedAt),
  });
});

shopsApi.delete("/shops/:id", async (c) => {
  const id = c.req.param("id");
  const deletedAt = await removeShop(c.env, id, actorOf(c));
  if (deletedAt === null) return errorResponse(c, problem("not_found", "No live shop has this id."));
  // Its orders stay: listed and delivered (or retried, discarded) under …/shops/<id>/orders until none is left.
  const shop = (await shopById(c.env, id))!;
  return c.json({ id, deletedAt: iso(deletedAt), queue: await queueDepth(c.env, shop) });
});

/**
 * Any registered shop's orders, a deleted one's included, through the admin
 * API's own order routes (`/orders?state=`, `/orders/<reference>/retry|discard`,
 * `/replay`), with that shop as the request's shop.
 */
shopsApi.use("/shops/:id/*", async function asRegisteredShop(c, next) {
  const shop = await shopById(c.env, c.req.param("id")!);
  if (!shop) return errorResponse(c, problem("not_found", "No shop has this id."));
  c.set("shop", shop);
  await next();
});
shopsApi.route("/shops/:id", ordersAdmin);
