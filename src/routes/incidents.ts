import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { ATOM_CONTENT_TYPE, renderAtom } from "../incidents/atom";
import type { IncidentPage } from "../incidents/incident";
import { MAX_PAGE, parsePageQuery } from "../incidents/page";
import { incidentLog } from "../incidents/store";
import { problem } from "../http/errors";

const PUBLIC_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };

/** The page of the history a request asks for (`?limit=`, `?before=`); 400 for a bad query. */
export async function requestedPage(c: Context<AppEnv>): Promise<IncidentPage> {
  const query = parsePageQuery({ before: c.req.query("before"), limit: c.req.query("limit") });
  if (!query.ok) throw problem("invalid_request", query.message);
  const shop = c.get("shop");
  return incidentLog(c.env, shop.id).list(shop.id, query.value);
}

/** `GET /__stayopen/incidents.json?limit=20&before=<cursor>`: the history, newest first, a page at a time. */
export async function incidentsJson(c: Context<AppEnv>): Promise<Response> {
  return c.json(await requestedPage(c), 200, PUBLIC_HEADERS);
}

/** `GET /__stayopen/incidents.atom`: the newest MAX_PAGE incidents as an Atom feed. */
export async function incidentsAtom(c: Context<AppEnv>): Promise<Response> {
  const shop = c.get("shop");
  const page = await incidentLog(c.env, shop.id).list(shop.id, { before: null, limit: MAX_PAGE });
  const feed = renderAtom({
    base: new URL(c.req.url).origin,
    shopName: shop.config.shopName,
    incidents: page.incidents,
    now: new Date().toISOString(),
  });
  return c.body(feed, 200, { ...PUBLIC_HEADERS, "content-type": ATOM_CONTENT_TYPE });
}
