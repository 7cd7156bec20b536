// Prepares the storefront suite (idempotent; a second run takes seconds):
// a PostgreSQL cluster of its own, EverShop installed from this folder's
// package-lock.json, built, and seeded. Run: node e2e/storefront/setup.mjs
import { prepareStorefront } from "./evershop.mjs";

const started = Date.now();
await prepareStorefront();
console.log(`storefront: ready in ${Math.round((Date.now() - started) / 1000)} s`);
