import { Hono, type Context } from "hono";
import type { AppEnv } from "../config/env";
import { putShop, removeShop, shopById } from "../config/shops";
import { jsonBody } from "../admin/control";
import { ordersAdmin } from "../admin/orders";
import { errorResponse, problem } from "../http/errors";
import { queueDepth } from "../orders/queue";
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

shopsApi.get("/status", async (c) => {
  const shops = await platformOverview(c.env);
  return c.json({
    shops: Object.fromEntries(
      shops.map((row) => [row.id, row.deletedAt ? { ...row.status, deletedAt: row.deletedAt } : row.status]),
    ),
  });
});

shopsApi.get("/shops", async (c) => {
  const shops = await platformOverview(c.env);
  return c.json({
    shops: shops.map((row) => ({
      id: row.id,
      hosts: row.hosts,
      origin: row.status.origin,
      mode: row.status.mode,
      queuedOrders: row.status.queuedOrders,
      ordersNeedingAttention: row.ordersNeedingAttention,
      deletedAt: row.deletedAt,
    })),
  });
});

shopsApi.put("/shops/:id", async (c) => {
  const id = c.req.param("id");
  const badId = shopIdProblem(id);
  if (badId) return invalid(c, [badId]);
  const parsed = parseShopRequest(await jsonBody(c, MAX_SHOP_BYTES));
  if (!parsed.ok) return invalid(c, parsed.problems);
  const result = await putShop(c.env, id, parsed.value, actorOf(c));
  if (!result.ok) {
    const { host, shop } = result.conflict;
    return errorResponse(c, problem("host_taken", `${host} belongs to shop ${shop}.`, {}, { host, shop }));
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
  if (!(await removeShop(c.env, id, actorOf(c))))
    return errorResponse(c, problem("not_found", "No live shop has this id."));
  const shop = (await shopById(c.env, id))!;
  // Its orders stay: listed and delivered (or retried, discarded) under …/shops/<id>/orders until none is left.
  return c.json({ id, deletedAt: iso(shop.deletedAt), queue: await queueDepth(c.env, shop) });
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
