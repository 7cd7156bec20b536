import type { Context } from "hono";
import type { Shop } from "../config";
import type { AppEnv } from "../env";
import { withSource } from "../http/source";
import { log } from "../log";
import { callOrigin } from "../origin/call";
import { unavailableResponse } from "../shopper/maintenance";
import { normalizeUrl } from "./key";
import { requestIsShareable, responseIsShareable } from "./shareable";
import { staleResponse } from "./stale";
import { claimRefresh, readSnapshot, writeSnapshot } from "./store";

/**
 * Catalog reads (GET/HEAD): live from the origin while it answers, keeping a
 * snapshot of shareable pages on the way; the newest snapshot when it fails;
 * the branded maintenance page when there is none.
 */
export async function serveCatalog(c: Context<AppEnv>): Promise<Response> {
  const shop = c.var.shop;
  const request = c.req.raw;
  const call = await callOrigin(shop, request);
  if (call.kind === "answered") return passThrough(c, shop, call.response);
  return serveFallback(c, shop);
}

function passThrough(c: Context<AppEnv>, shop: Shop, response: Response): Response {
  const request = c.req.raw;
  const config = shop.config;
  const declaredLength = Number(response.headers.get("content-length") ?? "0");
  const worthStoring =
    response.body !== null &&
    declaredLength <= config.snapshotMaxBytes &&
    requestIsShareable(request, config.sessionCookies).shareable &&
    responseIsShareable(response, config.snapshotStatuses).shareable;
  if (!worthStoring) return withSource(response, "origin");

  const url = new URL(request.url);
  const normalized = normalizeUrl(url);
  if (!claimRefresh(`${shop.id} ${normalized}`, config.snapshotRefreshS)) return withSource(response, "origin");

  const [toShopper, toStore] = response.body!.tee();
  c.executionCtx.waitUntil(
    writeSnapshot(c.env, shop.id, url.host, normalized, new Response(toStore, response), config.snapshotMaxBytes).catch((error: unknown) =>
      log("warn", "snapshot_write_failed", { shop: shop.id, key: normalized, error: String(error) }),
    ),
  );
  return withSource(response, "origin", toShopper);
}

async function serveFallback(c: Context<AppEnv>, shop: Shop): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const snapshot = await readSnapshot(c.env, shop.id, url.host, normalizeUrl(url), (p) => c.executionCtx.waitUntil(p));
  if (snapshot) return staleResponse(snapshot, request.method);
  return unavailableResponse(c);
}
