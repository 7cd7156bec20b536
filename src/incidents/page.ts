/**
 * Paging of /__stayopen/incidents.json: newest first, `limit` per page
 * (default 20, at most 100), and `before`, the opaque cursor a page's `next`
 * link carries: the start time and id of the last incident shown, so a page
 * stays right while new incidents arrive and old ones are pruned.
 */

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export type Cursor = { startedAt: number; id: string };
export type PageQuery = { before: Cursor | null; limit: number };
export type PageQueryResult = { ok: true; value: PageQuery } | { ok: false; message: string };

const CURSOR = /^(\d{1,15})\.(inc_[0-9a-f]{32})$/;

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.startedAt}.${cursor.id}`;
}

export function parsePageQuery(query: { before?: string; limit?: string }): PageQueryResult {
  let limit = DEFAULT_PAGE;
  if (query.limit !== undefined) {
    if (!/^\d{1,3}$/.test(query.limit) || Number(query.limit) < 1 || Number(query.limit) > MAX_PAGE)
      return { ok: false, message: `limit must be a whole number from 1 to ${MAX_PAGE}.` };
    limit = Number(query.limit);
  }
  if (query.before === undefined) return { ok: true, value: { before: null, limit } };
  const match = CURSOR.exec(query.before);
  if (!match) return { ok: false, message: "before must be the cursor from a page's next link." };
  return { ok: true, value: { before: { startedAt: Number(match[1]), id: match[2]! }, limit } };
}

/** The link to the page after this one, or null when nothing older is left. */
export function nextPageLink(last: Cursor | undefined, more: boolean, limit: number): string | null {
  if (!last || !more) return null;
  const params = new URLSearchParams({ before: encodeCursor(last), limit: String(limit) });
  return `/__stayopen/incidents.json?${params}`;
}
