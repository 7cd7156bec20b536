import type { Shop } from "../config";
import type { Env } from "../env";
import { servableOnError, snapshotPolicy } from "./freshness";
import { normalizeUrl } from "./key";
import { hasSnapshot } from "./store";

export type OfflinePage = { path: string; title: string; storedAt: number };

const remembered = new Map<string, { at: number; pages: OfflinePage[] }>();
const REMEMBER_MS = 30_000;

/**
 * The critical pages that have a snapshot that may still stand in for the
 * origin, for the maintenance page's "still available" list. Remembered briefly so a flood of maintenance pages does
 * not turn into a flood of storage reads.
 */
export async function offlinePages(env: Env, shop: Shop, host: string, now = Date.now()): Promise<OfflinePage[]> {
  const key = `${shop.id} ${host} ${shop.config.criticalPaths.join(",")}`;
  const known = remembered.get(key);
  if (known && now - known.at < REMEMBER_MS) return known.pages;
  const found = await Promise.all(
    shop.config.criticalPaths.map(async (path) => {
      const meta = await hasSnapshot(env, shop.id, host, normalizeUrl(`https://${host}${path}`));
      // A snapshot past its stale-if-error window would answer 503: no link to it.
      return meta && meta.status === 200 && servableOnError(now - meta.storedAt, snapshotPolicy(meta, shop.config))
        ? { path, title: meta.title ?? path, storedAt: meta.storedAt }
        : null;
    }),
  );
  const pages = found.filter((page): page is OfflinePage => page !== null);
  remembered.set(key, { at: now, pages });
  return pages;
}
