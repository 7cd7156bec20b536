import type { Env } from "../config/env";
import { snapshotKeyPrefix } from "./key";

/** KV lists at most 1000 keys per call. */
const PAGE_SIZE = 1000;
/**
 * Counting lists every key, one KV call per 1000: capped at 100 calls (100,000
 * snapshots) so a status request stays bounded in time and KV operations.
 */
const MAX_PAGES = 100;

/** How many page snapshots a shop has in KV (keys from storageKey), at most 100,000. */
export async function countSnapshots(env: Env, shopId: string): Promise<number> {
  const prefix = snapshotKeyPrefix(shopId);
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const listed = await env.SNAPSHOTS.list({ prefix, cursor, limit: PAGE_SIZE });
    count += listed.keys.length;
    if (listed.list_complete) break;
    cursor = listed.cursor;
  }
  return count;
}
