import type { Env } from "../config/env";
import type { Incident } from "./incident";
import { isIncidentId, parseMessage, parseTitle, type TextResult } from "./input";
import { incidentLog } from "./store";
import type { Shop } from "../config/shop";

/** The outcome of an operator's change, for the JSON API and the dashboard to present. */
export type IncidentChange =
  { outcome: "done"; incident: Incident } | { outcome: "not_found" } | { outcome: "invalid"; message: string };

async function change(
  id: string,
  parsed: TextResult,
  apply: (value: string) => Promise<Incident | null>,
): Promise<IncidentChange> {
  if (!isIncidentId(id)) return { outcome: "not_found" };
  if (!parsed.ok) return { outcome: "invalid", message: parsed.message };
  const incident = await apply(parsed.value);
  return incident ? { outcome: "done", incident } : { outcome: "not_found" };
}

export function retitleIncident(env: Env, shop: Shop, id: string, title: string | undefined): Promise<IncidentChange> {
  return change(id, parseTitle(title), (value) => incidentLog(env, shop.id).retitle(shop.id, id, value));
}

/** Adds an update and sends it to NOTIFY_WEBHOOK_URL, when set. */
export function postIncidentUpdate(
  env: Env,
  shop: Shop,
  id: string,
  message: string | undefined,
): Promise<IncidentChange> {
  return change(id, parseMessage(message), (value) =>
    incidentLog(env, shop.id).postUpdate(shop.id, id, value, shop.config.notifyWebhookUrl),
  );
}
