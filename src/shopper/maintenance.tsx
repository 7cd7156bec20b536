import type { Context } from "hono";
import type { Config } from "../config";
import { offlinePages, type OfflinePage } from "../catalog/offline";
import type { AppEnv } from "../env";
import { wantsJson } from "../http/negotiate";
import { Layout } from "./layout";
import { renderPage } from "./render";

type MaintenanceProps = { config: Config; pages: OfflinePage[]; message?: string | null };

export function MaintenancePage({ config, pages, message }: MaintenanceProps) {
  const minutes = Math.max(1, Math.round(config.retryAfterS / 60));
  return (
    <Layout config={config} title="We'll be right back">
      <h1>We'll be right back</h1>
      <p>
        {config.shopName} can't reach its shop system right now. Nothing is wrong with your device or connection, and we're
        working on it.
      </p>
      {message ? (
        <p class="notice" role="status">
          {message}
        </p>
      ) : null}
      <p>Please try again in about {minutes === 1 ? "a minute" : `${minutes} minutes`}.</p>
      {pages.length > 0 ? (
        <section aria-labelledby="offline-heading">
          <h2 id="offline-heading">You can still browse</h2>
          <ul>
            {pages.map((page) => (
              <li>
                <a href={page.path}>{page.title}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="notify-heading">
        <h2 id="notify-heading">Tell me when you're back</h2>
        <form method="post" action="/__stayopen/notify">
          <label for="notify-email">Email address</label>
          <input id="notify-email" name="email" type="email" autocomplete="email" required />
          <button type="submit">Notify me</button>
        </form>
        <p>We'll only use your address to tell you once the shop is back.</p>
      </section>
    </Layout>
  );
}

/**
 * The honest answer when there is nothing to serve: 503 with Retry-After,
 * never cached; JSON for API clients, the branded page for everyone else.
 */
export async function unavailableResponse(c: Context<AppEnv>, message: string | null = null): Promise<Response> {
  const config = c.var.shop.config;
  const request = c.req.raw;
  const headers = {
    "retry-after": String(config.retryAfterS),
    "cache-control": "no-store",
    "x-stayopen-source": "maintenance",
  };
  if (wantsJson(request)) {
    return c.json({ error: "origin_unavailable", retryAfter: config.retryAfterS }, 503, headers);
  }
  if (request.method === "HEAD") return new Response(null, { status: 503, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
  const pages = await offlinePages(c.env, c.var.shop, new URL(request.url).host);
  return renderPage(c, <MaintenancePage config={config} pages={pages} message={message} />, 503, headers);
}
