import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { readFields } from "../http/fields";
import { ATOM_CONTENT_TYPE, renderAtom } from "./atom";
import type { IncidentPage } from "./incident";
import { isIncidentId } from "./input";
import { postIncidentUpdate, retitleIncident, type IncidentChange } from "./operator";
import { MAX_PAGE, parsePageQuery } from "./page";
import { incidentLog } from "./store";
import { StayopenError } from "../http/stayopen-error";

const MAX_BODY_BYTES = 4096;
const PUBLIC_HEADERS = { "cache-control": "no-store", "x-stayopen-source": "edge" };

async function requestedPage(c: Context<AppEnv>): Promise<IncidentPage> {
  const query = parsePageQuery({ before: c.req.query("before"), limit: c.req.query("limit") });
  if (!query.ok) throw new StayopenError(400, "invalid_request", query.message);
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

function answer(c: Context<AppEnv>, result: IncidentChange): Response {
  switch (result.outcome) {
    case "done":
      return c.json(result.incident);
    case "not_found":
      throw new StayopenError(404, "not_found", "No incident with this id.");
    case "invalid":
      throw new StayopenError(400, "invalid_request", result.message);
  }
}

async function fields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const read = await readFields(c.req.raw, MAX_BODY_BYTES);
  if (!read.ok) throw new StayopenError(read.status, read.error, read.message);
  return read.fields;
}

/** Operator routes, mounted on the admin app (so always behind the admin token). */
export const incidentsAdmin = new Hono<AppEnv>();

incidentsAdmin.get("/incidents", async (c) => c.json(await requestedPage(c)));

incidentsAdmin.get("/incidents/:id", async (c) => {
  const shop = c.get("shop");
  const id = c.req.param("id");
  const incident = isIncidentId(id) ? await incidentLog(c.env, shop.id).get(shop.id, id) : null;
  if (!incident) throw new StayopenError(404, "not_found", "No incident with this id.");
  return c.json(incident);
});

/** `{"title":"…"}`: what the history and the feed call the incident from now on. */
incidentsAdmin.patch("/incidents/:id", async (c) =>
  answer(c, await retitleIncident(c.env, c.get("shop"), c.req.param("id"), (await fields(c)).title)),
);

/** `{"message":"…"}`: an update on the record, also sent to NOTIFY_WEBHOOK_URL. */
incidentsAdmin.post("/incidents/:id/updates", async (c) =>
  answer(c, await postIncidentUpdate(c.env, c.get("shop"), c.req.param("id"), (await fields(c)).message)),
);
