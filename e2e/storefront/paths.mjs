// Where the storefront suite keeps things: its own install (node_modules, the
// EverShop build, media) lives next to this file; everything a run creates
// (the PostgreSQL cluster, logs, stamps) under .cache. Both are git-ignored.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const STOREFRONT_ROOT = fileURLToPath(new URL("./", import.meta.url));
export const CACHE = join(STOREFRONT_ROOT, ".cache");
