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

/** The registered shops' ids, every page of the list, or undefined (with the answer) when it could not be read. */
export async function shopIds(base, token) {
  const ids = [];
  for (let next = `${PLATFORM}/shops`; ;) {
    const res = await request(`${base}${next}`, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    });
    const page = res.status === 200 ? json(res.text) : undefined;
    if (!Array.isArray(page?.shops)) return { res, ids: undefined };
    ids.push(...page.shops.map((shop) => shop.id));
    if (!page.next) return { res, ids };
    next = page.next;
  }
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
