import { Hono, type Context } from "hono";
import type { AppEnv } from "../config/env";
import { readFields } from "../http/body";
import { problem } from "../http/errors";
import { isIncidentId } from "../incidents/input";
import { postIncidentUpdate, retitleIncident, type IncidentChange } from "../incidents/operator";
import { incidentLog } from "../incidents/store";
import { requestedPage } from "../routes/incidents";

const MAX_BODY_BYTES = 4096;

function answer(c: Context<AppEnv>, result: IncidentChange): Response {
  switch (result.outcome) {
    case "done":
      return c.json(result.incident);
    case "not_found":
      throw problem("not_found", "No incident with this id.");
    case "invalid":
      throw problem("invalid_request", result.message);
  }
}

async function fields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const read = await readFields(c.req.raw, MAX_BODY_BYTES);
  if (!read.ok) throw read.problem;
  return read.fields;
}

/** Operator routes, mounted on the admin app (so always behind the admin token). */
export const incidentsAdmin = new Hono<AppEnv>();

incidentsAdmin.get("/incidents", async (c) => c.json(await requestedPage(c)));

incidentsAdmin.get("/incidents/:id", async (c) => {
  const shop = c.get("shop");
  const id = c.req.param("id");
  const incident = isIncidentId(id) ? await incidentLog(c.env, shop.id).get(shop.id, id) : null;
  if (!incident) throw problem("not_found", "No incident with this id.");
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
