import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { exportedPage } from "../static-backup/serve";
import { standsInOnError } from "../catalog/freshness";
import { normalizeUrl } from "../catalog/key";
import { hasSnapshot } from "../catalog/store";

export type OfflinePage = { path: string; title: string; storedAt: number };

const remembered = new Map<string, { at: number; pages: OfflinePage[] }>();
const REMEMBER_MS = 30_000;

/**
 * The critical pages with a snapshot or a static-export copy that may still
 * stand in for the origin, for the maintenance page's "still available" list.
 * Remembered briefly so a flood of maintenance pages does not turn into a
 * flood of storage reads.
 */
export async function offlinePages(env: Env, shop: Shop, host: string, now = Date.now()): Promise<OfflinePage[]> {
  const key = `${shop.id} ${host} ${shop.config.criticalPaths.join(",")}`;
  const known = remembered.get(key);
  if (known && now - known.at < REMEMBER_MS) return known.pages;
  const found = await Promise.all(
    shop.config.criticalPaths.map(async (path) => {
      const normalized = normalizeUrl(`https://${host}${path}`);
      const snapshot = await hasSnapshot(env, shop.id, host, normalized);
      // A copy past its stale-if-error window would answer 503: no link to it.
      const meta =
        snapshot && standsInOnError(snapshot, shop.config, now)
          ? snapshot
          : await exportedPage(env, shop, normalized, now);
      return meta && meta.status === 200 ? { path, title: meta.title ?? path, storedAt: meta.storedAt } : null;
    }),
  );
  const pages = found.filter((page): page is OfflinePage => page !== null);
  remembered.set(key, { at: now, pages });
  return pages;
}
