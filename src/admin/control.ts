import { Hono, type Context } from "hono";
import type { AppEnv } from "../config/env";
import { problem } from "../http/errors";
import { readLimited } from "../http/read-limited";
import { log } from "../log";
import { originHooks } from "../origin/hooks";
import { issueBypassCookie, LINK_TTL_MS, newNonce, signPass } from "../control/bypass";
import { rememberControls, shopControl } from "../control/controls";
import type { ControlState } from "../control/shop-control";
import { parseMaintenanceRequest } from "../control/maintenance";
import { describeControls } from "../control/status";
import { BYPASS_COOKIE_HEADER_NAME } from "../http/wire";

/** Operator routes for the switches, mounted on the admin app (so always behind the admin token). */
export const controlAdmin = new Hono<AppEnv>();

const MAX_BODY_BYTES = 4096;

/** An operator's JSON body, read within `maxBytes`: 413 past it, 400 when it is not JSON. */
export async function jsonBody(c: Context<AppEnv>, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const read = await readLimited(c.req.raw.body, maxBytes, { request: true });
  if (!read.ok) throw problem("payload_too_large", `The body must be at most ${maxBytes} bytes.`);
  try {
    return JSON.parse(new TextDecoder().decode(read.bytes));
  } catch {
    throw problem("invalid_json", "The body must be a JSON object.");
  }
}

/**
 * Switches forced maintenance for the JSON API and the dashboard alike:
 * validated, stored for every isolate, and when it ends the queued orders and
 * the recovery hand-over go out at once.
 */
export async function applyMaintenance(
  c: Context<AppEnv>,
  body: unknown,
): Promise<{ ok: true; state: ControlState } | { ok: false; message: string }> {
  const shop = c.get("shop");
  const parsed = parseMaintenanceRequest(body, Date.now());
  if (!parsed.ok) return parsed;
  const state = await shopControl(c.env, shop.id).setMaintenance(shop.id, parsed.value, shop.config.incidentMinS);
  rememberControls(shop.id, state);
  if (!parsed.value.on) c.executionCtx.waitUntil(originHooks().welcomeBack(c.env, shop, "maintenance_ended"));
  return { ok: true, state };
}

/** `{"on":true,"message":"…","from"?:ISO,"until"?:ISO}` or `{"on":false}`. */
controlAdmin.post("/maintenance", async (c) => {
  const applied = await applyMaintenance(c, await jsonBody(c));
  if (!applied.ok) throw problem("invalid_request", applied.message);
  return c.json(describeControls(applied.state, Date.now()));
});

export type BypassIssued = { cookieExpiresAt: number; link: string; linkExpiresAt: number };

/**
 * Sets a bypass cookie on this response and makes a one-time link that gives
 * another browser the same cookie; for the API and the dashboard alike.
 */
export async function issueBypass(c: Context<AppEnv>): Promise<BypassIssued> {
  const shop = c.get("shop");
  // requireAdmin() only lets a request through when ADMIN_TOKEN is set.
  const adminToken = shop.config.adminToken!;
  const now = Date.now();
  const cookie = await issueBypassCookie(c, adminToken, now);
  const linkExpiresAt = now + LINK_TTL_MS;
  const link = new URL("/__stayopen/bypass", c.req.url);
  link.searchParams.set(
    "token",
    await signPass({ kind: "link", shop: shop.id, exp: linkExpiresAt, nonce: newNonce() }, adminToken),
  );
  log("info", "bypass_issued", { shop: shop.id, cookieExpiresAt: cookie.expiresAt, linkExpiresAt });
  return { cookieExpiresAt: cookie.expiresAt, link: link.toString(), linkExpiresAt };
}

controlAdmin.post("/bypass", async (c) => {
  const issued = await issueBypass(c);
  return c.json({
    cookie: { name: BYPASS_COOKIE_HEADER_NAME, expiresAt: new Date(issued.cookieExpiresAt).toISOString() },
    link: issued.link,
    linkExpiresAt: new Date(issued.linkExpiresAt).toISOString(),
  });
});
