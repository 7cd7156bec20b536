import type { Shop } from "../config/shop";
import type { Env } from "../config/env";
import { log } from "../log";
import { backupBucket, boundBucket, readPointer, readProgress, type ExportCounts } from "./layout";
import { iso } from "../time";

/** The static backup as the operator sees it: switch, binding, the published export and the run under way (or the last one). */
export type StaticBackupStatus = {
  enabled: boolean;
  bound: boolean;
  published: {
    version: string;
    startedAt: string;
    completedAt: string;
    pages: ExportCounts;
    assets: ExportCounts;
    missingCritical: string[];
  } | null;
  run: {
    version: string;
    startedAt: string;
    updatedAt: string;
    pending: number;
    pages: ExportCounts;
    assets: ExportCounts;
    failures: { url: string; reason: string }[];
    finished: { at: string; outcome: "published" | "abandoned"; reason: string | null } | null;
  } | null;
  error: string | null;
};

export async function staticBackupStatus(env: Env, shop: Shop): Promise<StaticBackupStatus> {
  const enabled = shop.config.staticBackup;
  const bucket = backupBucket(env, shop);
  // Whether the binding exists, whatever the switch says: an operator turning it on wants to know first.
  const bound = boundBucket(env) !== null;
  const status: StaticBackupStatus = { enabled, bound, published: null, run: null, error: null };
  if (!bucket) return status;
  try {
    const [pointer, progress] = await Promise.all([readPointer(bucket, shop.id), readProgress(bucket, shop.id)]);
    if (pointer) {
      status.published = {
        version: pointer.version,
        startedAt: iso(pointer.startedAt),
        completedAt: iso(pointer.completedAt),
        pages: pointer.pages,
        assets: pointer.assets,
        missingCritical: pointer.missingCritical,
      };
    }
    const run = progress?.value;
    if (run) {
      status.run = {
        version: run.version,
        startedAt: iso(run.startedAt),
        updatedAt: iso(run.updatedAt),
        pending: run.pending.length,
        pages: run.pages,
        assets: run.assets,
        failures: run.failures,
        finished: run.finished && {
          at: iso(run.finished.at),
          outcome: run.finished.outcome,
          reason: run.finished.reason ?? null,
        },
      };
    }
  } catch (error) {
    log("warn", "static_backup_status_failed", { shop: shop.id, error: String(error) });
    status.error = "The static backup bucket could not be read.";
  }
  return status;
}
