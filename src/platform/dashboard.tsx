import { Hono } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv } from "../config/env";
import { ActionButton } from "../admin/dashboard/forms";
import { Table } from "../admin/dashboard/table";
import { loginRoutes } from "../admin/auth";
import { Layout } from "../shopper/layout";
import { renderPage } from "../shopper/render";
import { When } from "../shopper/when";
import { ADMIN_BASE, PLATFORM_BASE } from "../http/wire";
import { PLATFORM_DOOR } from "./door";
import { deletedShopPage } from "./deleted-shop";
import { lastIncident, PAGE_SIZE, platformOverview, type ShopOverview } from "./overview";

const ORIGIN_WORDS = { up: "Up", degraded: "Degraded", down: "Down" } as const;

/** A shop's own dashboard on its first host, with the scheme and port the operator reached the platform at. */
function shopDashboardUrl(row: ShopOverview, platformUrl: string): string | null {
  const host = row.hosts[0];
  if (!host || row.deletedAt) return null;
  const here = new URL(platformUrl);
  return `${here.protocol}//${host}${here.port ? `:${here.port}` : ""}${ADMIN_BASE}`;
}

function ShopRow({ row, platformUrl }: { row: ShopOverview; platformUrl: string }) {
  const incident = lastIncident(row);
  const link = shopDashboardUrl(row, platformUrl);
  const forced = row.status.mode === "maintenance";
  return (
    <tr>
      <th scope="row">
        {row.id}
        {row.deletedAt ? (
          <>
            {" "}
            (deleted <When at={row.deletedAt} />)
          </>
        ) : null}
      </th>
      <td>{row.hosts.length > 0 ? row.hosts.join(", ") : "every host"}</td>
      <td>
        <span class={`state state-${row.status.origin}`}>{ORIGIN_WORDS[row.status.origin]}</span>
      </td>
      <td>{forced ? "Maintenance" : "Automatic"}</td>
      <td>
        {row.status.queuedOrders}
        {row.ordersNeedingAttention > 0 ? `, ${row.ordersNeedingAttention} need attention` : ""}
      </td>
      <td>
        {incident ? (
          <>
            {incident.title} (<When at={incident.startedAt} />
            {incident.endedAt ? "" : ", ongoing"})
          </>
        ) : (
          "None"
        )}
      </td>
      <td>{link ? <a href={link}>{row.id} dashboard</a> : <a href={deletedShopPage(row.id)}>{row.id} orders</a>}</td>
    </tr>
  );
}

type PageProps = { config: Config; shops: ShopOverview[]; next: string | null; csrf: string; platformUrl: string };

/** Every shop of the deployment on one page: its state, its queue, its last incident, a way into its own dashboard. */
export function PlatformPage({ config, shops, next, csrf, platformUrl }: PageProps) {
  const down = shops.filter((row) => row.status.origin !== "up" || row.status.mode === "maintenance").length;
  return (
    <Layout config={config} title="Platform dashboard" audience="operators">
      <h1>Platform dashboard</h1>
      <p>
        {shops.length} {shops.length === 1 ? "shop" : "shops"}
        {next ? " on this page" : ""}; {down} not fully up.
      </p>
      <h2 id="shops-heading">Shops</h2>
      {shops.length === 0 ? (
        <p>No shop is registered yet: PUT one to {PLATFORM_BASE}/shops/&lt;id&gt; (see docs/many-shops.md).</p>
      ) : (
        <Table
          labelledBy="shops-heading"
          columns={["Shop", "Hosts", "Origin", "Mode", "Queued orders", "Last incident", "Open"]}
        >
          {shops.map((row) => (
            <ShopRow row={row} platformUrl={platformUrl} />
          ))}
        </Table>
      )}
      {next ? (
        <p>
          <a href={`${PLATFORM_BASE}?after=${encodeURIComponent(next)}`}>Next {PAGE_SIZE} shops</a>
        </p>
      ) : null}
      <ActionButton action={`${PLATFORM_BASE}/logout`} csrf={csrf} label="Log out" />
    </Layout>
  );
}

/** The platform dashboard, behind the same login, session and CSRF checks as the admin dashboard. */
export const platformDashboard = new Hono<AppEnv>();

const login = loginRoutes(PLATFORM_DOOR);
platformDashboard.get("/login", login.show);
platformDashboard.post("/login", login.logIn);
platformDashboard.post("/logout", login.logOut);

platformDashboard.get("/", async (c) => {
  const { shops, next } = await platformOverview(c.env, c.req.query("after") ?? null);
  const page = (
    <PlatformPage
      config={c.get("shop").config}
      shops={shops}
      next={next}
      csrf={c.get("adminSession")?.csrf ?? ""}
      platformUrl={c.req.url}
    />
  );
  return renderPage(c, page);
});
