import { DurableObject } from "cloudflare:workers";
import type { Env } from "./env";
import { log } from "../log";
import { openSecrets, sealSecrets } from "./secret-box";

/** A shop id: lower-case letters, digits and dashes; "default" is single-shop mode's own. */
export const SHOP_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const DEFAULT_SHOP_ID = "default";

/** The one registry object of a deployment. */
export const REGISTRY_NAME = "registry";

/**
 * One registered shop as the registry keeps it. `config` holds the schema's
 * variable names with their text values, never a secret; `secrets` is the
 * sealed blob (config/secret-box.ts) and `secretNames` says which are set.
 * A deleted shop keeps its configuration and secrets, so its queued orders
 * can still be delivered; its `hosts` are the ones it had, no longer its own.
 */
export type StoredShop = {
  id: string;
  hosts: string[];
  config: Record<string, string>;
  secrets: string;
  secretNames: string[];
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
  /** The registry version of the shop's last change: what isolates compare to rebuild only changed shops. */
  revision: number;
};

/** What a PUT sends: the whole shop. Secrets arrive in plaintext and are sealed before they are stored. */
export type ShopInput = { hosts: string[]; config: Record<string, string>; secrets: Record<string, string> };

/** A change's own result carries the shop as stored, so the isolate that made it needs no read to serve it. */
export type PutResult =
  | { ok: true; created: boolean; version: number; shop: StoredShop }
  | { ok: false; conflict: { host: string; shop: string } };

type ShopRow = {
  id: string;
  hosts: string;
  config: string;
  secrets: string;
  secret_names: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  revision: number;
};

/**
 * The deployment's shops (issue 16): one object, `SHOP_REGISTRY.getByName("registry")`.
 * A host belongs to at most one live shop: the `hosts` table holds only live
 * shops' hosts, and a PUT checks and writes it in one synchronous transaction.
 * `version` goes up by one on every change, so isolates compare one number
 * before they fetch the whole list (config/shops.ts).
 * Callers validate inputs (the platform API, by the one schema).
 */
/** The one way to reach the shop registry: one object for the deployment. */
export function shopRegistry(env: Env): DurableObjectStub<ShopRegistry> {
  return env.SHOP_REGISTRY.getByName(REGISTRY_NAME);
}

export class ShopRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS shops (
      id TEXT PRIMARY KEY, hosts TEXT NOT NULL, config TEXT NOT NULL, secrets TEXT NOT NULL,
      secret_names TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, deleted_at INTEGER,
      revision INTEGER NOT NULL)`);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hosts (host TEXT PRIMARY KEY, shop TEXT NOT NULL)");
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    );
    ctx.storage.sql.exec("INSERT OR IGNORE INTO meta (id, version) VALUES (1, 0)");
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS cron_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), last_shop TEXT NOT NULL)",
    );
  }

  /** The last shop the cron worked on (config/cron-turn.ts): the next run starts after it. Not a registry change. */
  cronCursor(): string | null {
    const row = this.ctx.storage.sql.exec<{ last_shop: string }>("SELECT last_shop FROM cron_cursor").toArray()[0];
    return row?.last_shop ?? null;
  }

  moveCronCursor(lastShop: string): void {
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO cron_cursor (id, last_shop) VALUES (1, ?)", lastShop);
  }

  version(): number {
    return this.#version();
  }

  snapshot(): { version: number; shops: StoredShop[] } {
    const rows = this.ctx.storage.sql.exec<ShopRow>("SELECT * FROM shops ORDER BY id").toArray();
    return { version: this.#version(), shops: rows.map(toStoredShop) };
  }

  /** Creates or replaces the whole shop (config and secrets); a host of another live shop is a conflict. */
  async put(id: string, input: ShopInput, actor: string): Promise<PutResult> {
    const token = this.#token();
    const hosts = [...new Set(input.hosts)];
    // Sealed before the transaction: the check and the writes below then run without an await between them.
    const secrets = await sealSecrets(token, id, input.secrets);
    const before = this.#row(id);
    const previousSecrets = before ? await openSecrets(token, id, before.secrets) : null;
    const now = Date.now();
    const outcome = this.ctx.storage.transactionSync(
      (): { ok: true; created: boolean; version: number } | { ok: false; conflict: { host: string; shop: string } } => {
        for (const host of hosts) {
          const owner = this.ctx.storage.sql
            .exec<{ shop: string }>("SELECT shop FROM hosts WHERE host = ? AND shop != ?", host, id)
            .toArray()[0];
          if (owner) return { ok: false, conflict: { host, shop: owner.shop } };
        }
        const current = this.#row(id);
        const created = !current || current.deleted_at !== null;
        this.ctx.storage.sql.exec("DELETE FROM hosts WHERE shop = ?", id);
        for (const host of hosts) this.ctx.storage.sql.exec("INSERT INTO hosts (host, shop) VALUES (?, ?)", host, id);
        const version = this.#bump();
        this.ctx.storage.sql.exec(
          `INSERT OR REPLACE INTO shops (id, hosts, config, secrets, secret_names, created_at, updated_at, deleted_at, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
          id,
          JSON.stringify(hosts),
          JSON.stringify(input.config),
          secrets,
          JSON.stringify(Object.keys(input.secrets).sort()),
          created ? now : current.created_at,
          now,
          version,
        );
        return { ok: true, created, version };
      },
    );
    if (!outcome.ok) {
      log("warn", "shop_host_conflict", { shop: id, host: outcome.conflict.host, owner: outcome.conflict.shop, actor });
      return outcome;
    }
    const wasLive = before !== undefined && before.deleted_at === null;
    log("info", outcome.created ? "shop_registered" : "shop_replaced", {
      shop: id,
      hosts,
      actor,
      version: outcome.version,
      changed: wasLive
        ? changedNames(before, input, previousSecrets)
        : [...Object.keys(input.config), ...Object.keys(input.secrets)].sort(),
    });
    return { ...outcome, shop: toStoredShop(this.#row(id)!) };
  }

  /**
   * Stops serving the shop's hosts and frees them; its configuration and secrets stay for its queued orders.
   * Returns the shop as stored now (deleted), or null when no live shop has this id.
   */
  remove(id: string, actor: string): StoredShop | null {
    const deleted = this.ctx.storage.transactionSync(() => {
      const current = this.#row(id);
      if (!current || current.deleted_at !== null) return null;
      this.ctx.storage.sql.exec("DELETE FROM hosts WHERE shop = ?", id);
      const version = this.#bump();
      const now = Date.now();
      this.ctx.storage.sql.exec(
        "UPDATE shops SET deleted_at = ?, updated_at = ?, revision = ? WHERE id = ?",
        now,
        now,
        version,
        id,
      );
      return version;
    });
    if (deleted === null) return null;
    const shop = toStoredShop(this.#row(id)!);
    log("info", "shop_deleted", { shop: id, hosts: shop.hosts, actor, version: deleted });
    return shop;
  }

  #token(): string {
    // Trimmed as every isolate reads it (config/shops.ts), so what is sealed here opens there.
    const token = this.env.PLATFORM_TOKEN?.trim();
    // The platform API answers 404 without a token, so no change can arrive here without one.
    if (!token) throw new Error("PLATFORM_TOKEN is not set: the shop registry cannot seal secrets");
    return token;
  }

  #row(id: string): ShopRow | undefined {
    return this.ctx.storage.sql.exec<ShopRow>("SELECT * FROM shops WHERE id = ?", id).toArray()[0];
  }

  #version(): number {
    return this.ctx.storage.sql.exec<{ version: number }>("SELECT version FROM meta WHERE id = 1").one().version;
  }

  #bump(): number {
    this.ctx.storage.sql.exec("UPDATE meta SET version = version + 1 WHERE id = 1");
    return this.#version();
  }
}

function toStoredShop(row: ShopRow): StoredShop {
  return {
    id: row.id,
    hosts: JSON.parse(row.hosts) as string[],
    config: JSON.parse(row.config) as Record<string, string>,
    secrets: row.secrets,
    secretNames: JSON.parse(row.secret_names) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    revision: row.revision,
  };
}

/** The variable names a replacement changes (set, changed or unset), for the log: names only, never values. */
function changedNames(before: ShopRow, input: ShopInput, previousSecrets: Record<string, string> | null): string[] {
  const names = new Set<string>();
  const diff = (old: Record<string, string>, next: Record<string, string>) => {
    for (const name of new Set([...Object.keys(old), ...Object.keys(next)]))
      if (old[name] !== next[name]) names.add(name);
  };
  diff(JSON.parse(before.config) as Record<string, string>, input.config);
  // Secrets that no longer open (another PLATFORM_TOKEN) count as changed.
  diff(previousSecrets ?? {}, input.secrets);
  if (!previousSecrets) for (const name of JSON.parse(before.secret_names) as string[]) names.add(name);
  if (before.hosts !== JSON.stringify([...new Set(input.hosts)])) names.add("hosts");
  return [...names].sort();
}
