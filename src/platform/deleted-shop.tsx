import { Hono, type Context } from "hono";
import type { AppEnv } from "../config/env";
import type { Config } from "../config/schema";
import { deploymentConfig } from "../config/shop";
import { shopById, type RegisteredShop } from "../config/shops";
import { DEAD_LETTERS_SHOWN, ordersAwaitingOperator } from "../admin/dashboard/data";
import { orderActions, orderNotice } from "../admin/dashboard/order-actions";
import { OrdersSection, type OrdersSectionProps } from "../admin/dashboard/orders";
import { ProblemPage } from "../admin/dashboard/problem";
import { listOrders, queueDepth } from "../orders/queue";
import { PLATFORM_BASE } from "../http/wire";
import { Layout } from "../shopper/layout";
import { renderPage } from "../shopper/render";
import { When } from "../shopper/when";

/**
 * A deleted shop's orders on the platform dashboard: its own dashboard is gone
 * with its hosts, so the platform shows what is left in its queue with the
 * admin dashboard's order section and buttons (same handlers, same session
 * and CSRF checks by requirePlatform). A live shop's orders are its own
 * dashboard's business: here they are 404.
 */
export const deletedShopOrders = new Hono<AppEnv>();

/** The page of a deleted shop's orders, which its order actions return to. */
export const deletedShopPage = (id: string) => `${PLATFORM_BASE}/shops/${id}/dashboard`;

declare module "hono" {
  interface ContextVariableMap {
    /** The deleted shop whose orders the platform dashboard shows; also the request's `shop`. */
    deletedShop: RegisteredShop & { deletedAt: number };
  }
}

deletedShopOrders.use("/shops/:id/dashboard/*", async function onlyDeletedShops(c, next) {
  const shop = await shopById(c.env, c.req.param("id")!);
  if (!shop || shop.deletedAt === null) {
    const page = (
      <ProblemPage
        config={deploymentConfig(c.env)}
        title="No deleted shop"
        message="No deleted shop has this id. A live shop's orders are on its own dashboard."
        back={PLATFORM_BASE}
      />
    );
    return renderPage(c, page, 404);
  }
  c.set("shop", shop);
  c.set("deletedShop", { ...shop, deletedAt: shop.deletedAt });
  await next();
});

type PageProps = {
  config: Config;
  shop: RegisteredShop & { deletedAt: number };
  orders: OrdersSectionProps;
  notice: string | null;
};

export function DeletedShopPage({ config, shop, orders, notice }: PageProps) {
  return (
    <Layout config={config} title={`Orders of ${shop.id}`} audience="operators">
      <h1>Orders of {shop.id}, a deleted shop</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <p>
        Deleted <When at={shop.deletedAt} />. Its hosts ({shop.hosts.join(", ")}) are no longer served; the orders it
        still holds go to its origin as before, and it stays on the platform list until none is left.
      </p>
      <OrdersSection {...orders} />
      <p>
        <a href={PLATFORM_BASE}>Back to the platform dashboard</a>
      </p>
    </Layout>
  );
}

deletedShopOrders.get("/shops/:id/dashboard", async (c) => {
  const shop = c.get("deletedShop");
  const [queue, dead, queued] = await Promise.all([
    queueDepth(c.env, shop),
    ordersAwaitingOperator(c.env, shop),
    listOrders(c.env, shop, "queued", DEAD_LETTERS_SHOWN),
  ]);
  const notice = orderNotice(c.req.query("done"));
  const orders = { queue, dead, queued, csrf: c.get("adminSession")?.csrf ?? "", actions: deletedShopPage(shop.id) };
  return renderPage(
    c,
    <DeletedShopPage config={deploymentConfig(c.env)} shop={shop} orders={orders} notice={notice} />,
  );
});

const home = (c: Context<AppEnv>) => ({ url: deletedShopPage(c.get("shop").id), config: deploymentConfig(c.env) });
deletedShopOrders.route("/shops/:id/dashboard", orderActions(home));
