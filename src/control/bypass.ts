import { BYPASS_COOKIE } from "../http/wire";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../config/env";
import { fromBase64Url, toBase64Url } from "../http/base64url";
import { ipAllowed } from "../http/cidr";

/**
 * Staff bypass: staff reach the real origin while shoppers see the maintenance
 * flow. Either the client address is in BYPASS_IPS, or the browser carries a
 * bypass cookie signed with a key derived from ADMIN_TOKEN (rotating the token
 * revokes every cookie and link). A cookie is issued by the admin API directly,
 * or through a short-lived one-time link the admin API hands out.
 */

export const LINK_TTL_MS = 15 * 60_000;

export type PassKind = "cookie" | "link";
export type Pass = { kind: PassKind; shop: string; exp: number; nonce: string };
export type BypassVia = "ip" | "cookie";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function signingKey(adminToken: string): Promise<CryptoKey> {
  let key = keys.get(adminToken);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(adminToken), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: encoder.encode("stayopen"), info: encoder.encode("staff bypass v1") },
          material,
          { name: "HMAC", hash: "SHA-256" },
          false,
          ["sign", "verify"],
        ),
      );
    keys.set(adminToken, key);
  }
  return key;
}

export const newNonce = (): string => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));

/** `<base64url JSON>.<base64url HMAC-SHA256>` */
export async function signPass(pass: Pass, adminToken: string): Promise<string> {
  const payload = toBase64Url(encoder.encode(JSON.stringify(pass)));
  const signature = await crypto.subtle.sign("HMAC", await signingKey(adminToken), encoder.encode(payload));
  return `${payload}.${toBase64Url(new Uint8Array(signature))}`;
}

/** The pass when the signature is ours, the kind and shop match and it has not expired; null for anything else. */
export async function verifyPass(
  token: string,
  kind: PassKind,
  shopId: string,
  adminToken: string,
  now: number,
): Promise<Pass | null> {
  const [payload, signatureText, ...rest] = token.split(".");
  if (!payload || !signatureText || rest.length > 0 || token.length > 1024) return null;
  const signature = fromBase64Url(signatureText);
  if (!signature) return null;
  const valid = await crypto.subtle.verify("HMAC", await signingKey(adminToken), signature, encoder.encode(payload));
  if (!valid) return null;
  const pass = JSON.parse(new TextDecoder().decode(fromBase64Url(payload)!)) as Pass;
  return pass.kind === kind && pass.shop === shopId && typeof pass.exp === "number" && pass.exp > now ? pass : null;
}

/** Signs a bypass cookie for this shop and sets it on the response being built. */
export async function issueBypassCookie(
  c: Context<AppEnv>,
  adminToken: string,
  now: number,
): Promise<{ expiresAt: number }> {
  const expiresAt = now + c.get("shop").config.bypassTtlS * 1000;
  const token = await signPass(
    { kind: "cookie", shop: c.get("shop").id, exp: expiresAt, nonce: newNonce() },
    adminToken,
  );
  setCookie(c, BYPASS_COOKIE, token, {
    prefix: "host",
    httpOnly: true,
    secure: true,
    sameSite: "Lax",
    path: "/",
    expires: new Date(expiresAt),
  });
  return { expiresAt };
}

/** How this request bypasses the maintenance flow, if it does. */
export async function bypassVia(c: Context<AppEnv>, now = Date.now()): Promise<BypassVia | null> {
  const config = c.get("shop").config;
  if (ipAllowed(c.req.header("cf-connecting-ip"), config.bypassIps)) return "ip";
  const cookie = getCookie(c, BYPASS_COOKIE, "host");
  if (cookie && config.adminToken && (await verifyPass(cookie, "cookie", c.get("shop").id, config.adminToken, now)))
    return "cookie";
  return null;
}
