// The platform API (DESIGN.md, "Many shops, one deployment") from scripts and tests: register a shop, read the
// registry. Answers come back as scripts/lib/http.mjs results (status 0 on a network error), never thrown.
import { json, request } from "./http.mjs";

const PLATFORM = "/__stayopen/platform";

/** PUT …/shops/<id>: creates (201) or replaces (200) the shop; 400 names a bad field, 409 a host another shop owns. */
export function putShop(base, token, id, { hosts, config, secrets }) {
  return request(`${base}${PLATFORM}/shops/${encodeURIComponent(id)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ hosts, config, secrets }),
  });
}

export function deleteShop(base, token, id) {
  return request(`${base}${PLATFORM}/shops/${encodeURIComponent(id)}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
}

/** The registered shops' ids, or undefined (with the answer) when the list could not be read. */
export async function shopIds(base, token) {
  const res = await request(`${base}${PLATFORM}/shops`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  const shops = res.status === 200 ? json(res.text)?.shops : undefined;
  return { res, ids: Array.isArray(shops) ? shops.map((shop) => shop.id) : undefined };
}

/** One line naming why a platform API call failed: its status and the error catalogue's message. */
export function platformProblem(res) {
  if (res.status === 0) return `no answer (${res.error})`;
  const body = json(res.text);
  return `${res.status} ${body?.error ?? ""}${body?.message ? `: ${body.message}` : ""}`.trim();
}

/** putShop that throws, naming the problem, unless the shop was created or replaced. */
export async function registerShop(base, token, id, body) {
  const res = await putShop(base, token, id, body);
  if (res.status !== 200 && res.status !== 201) throw new Error(`registering shop ${id}: ${platformProblem(res)}`);
  return res;
}
