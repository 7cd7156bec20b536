import { log } from "../log";
import { shopPrefix, versionPrefix } from "./layout";

/** Objects deleted per cron run at most; a big old version goes over a few runs. */
export const MAX_DELETES_PER_RUN = 1000;

/** Version names in the bucket, oldest first. */
export async function listVersions(bucket: R2Bucket, shopId: string): Promise<string[]> {
  const root = shopPrefix(shopId);
  const versions: string[] = [];
  let cursor: string | undefined;
  // Bounded: each page holds up to 1000 prefixes, and only a handful of versions ever exist.
  for (let page = 0; page < 10; page++) {
    const listed = await bucket.list({ prefix: root, delimiter: "/", ...(cursor ? { cursor } : {}) });
    versions.push(...listed.delimitedPrefixes.map((prefix) => prefix.slice(root.length, -1)));
    if (!listed.truncated) break;
    cursor = listed.cursor;
  }
  return versions.sort();
}

/**
 * Deletes every version except those in `keep` (the published one, the one
 * before it, which isolates may still be reading, and the run in progress).
 * Returns how many objects went.
 */
export async function pruneVersions(bucket: R2Bucket, shopId: string, keep: ReadonlySet<string>): Promise<number> {
  let deleted = 0;
  for (const version of await listVersions(bucket, shopId)) {
    if (keep.has(version)) continue;
    while (deleted < MAX_DELETES_PER_RUN) {
      const listed = await bucket.list({
        prefix: versionPrefix(shopId, version),
        limit: MAX_DELETES_PER_RUN - deleted,
      });
      if (listed.objects.length === 0) break;
      await bucket.delete(listed.objects.map((object) => object.key));
      deleted += listed.objects.length;
    }
    if (deleted >= MAX_DELETES_PER_RUN) break;
  }
  if (deleted > 0) log("info", "static_backup_pruned", { shop: shopId, objects: deleted, kept: [...keep] });
  return deleted;
}
