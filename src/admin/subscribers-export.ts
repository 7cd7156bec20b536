import type { Context } from "hono";
import type { AppEnv } from "../config/env";
import { toCsv } from "../notify/csv";
import { subscriberList } from "../notify/store";
import { iso } from "../time";

/** GET /__stayopen/admin/subscribers.csv: the notify-me list for the shop's own mailer or spreadsheet. */
export async function exportSubscribers(c: Context<AppEnv>): Promise<Response> {
  const subscribers = await subscriberList(c.env, c.get("shop")).list();
  const csv = toCsv(
    ["email", "subscribed_at", "announced_at"],
    subscribers.map((subscriber) => [
      subscriber.email,
      iso(subscriber.subscribedAt),
      iso(subscriber.announcedAt) ?? "",
    ]),
  );
  return c.body(csv, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": 'attachment; filename="subscribers.csv"',
    "cache-control": "no-store",
    "x-stayopen-source": "edge",
  });
}
