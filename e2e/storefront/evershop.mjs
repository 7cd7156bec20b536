// EverShop 2.2.1, installed, built and seeded once (cached under this folder,
// git-ignored) and started per run on a copy of the seeded database, listening
// on loopback only. Every step is idempotent and bounded in time: a second run
// skips what the first one finished (stamps in .cache hold the lockfile hash).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePorts, startProcess, waitForHttp } from "../../scripts/lib/processes.mjs";
import { productPng } from "./images.mjs";
import { CACHE, STOREFRONT_ROOT } from "./paths.mjs";
import { psql, startPostgres } from "./postgres.mjs";

const run = promisify(execFile);
const EVERSHOP = join(STOREFRONT_ROOT, "node_modules/@evershop/evershop/dist/bin/evershop.js");
const LOOPBACK = join(STOREFRONT_ROOT, "loopback.mjs");
const SEED_DB = "evershop_seed";
export const RUN_DB = "evershop_run";
// Bump when the seed below changes, so a cached database is seeded again.
const SEED_VERSION = "1";
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const BUILD_TIMEOUT_MS = 20 * 60_000;
const STEP_TIMEOUT_MS = 5 * 60_000;
const START_TIMEOUT_MS = 120_000;

/** The seeded accounts and catalog the suite relies on. */
export const OPERATOR = { name: "Stayopen Operator", email: "operator@example.com", password: "Operator-e2e-2026" };
export const CUSTOMER = {
  full_name: "Ada Storefront",
  email: "ada.storefront@example.com",
  password: "Shopper-e2e-2026",
};
export const PRODUCT = {
  sku: "CUP-001-WHT",
  name: "Ceramic Coffee Cup - White",
  path: "/accessories/ceramic-coffee-cup-white",
};
export const CATEGORY_PATH = "/accessories";
export const SHIPPING_COUNTRY = "US";

// Secrets EverShop needs for its JWTs (admin and customer tokens) and its session cookie; fixed, test-only values.
const SECRETS = {
  JWT_ADMIN_SECRET: "e2e-admin-jwt-secret-0123456789",
  JWT_ADMIN_REFRESH_SECRET: "e2e-admin-refresh-secret-0123456789",
  JWT_CUSTOMER_SECRET: "e2e-customer-jwt-secret-0123456789",
  JWT_CUSTOMER_REFRESH_SECRET: "e2e-customer-refresh-secret-0123456789",
};

const lockHash = () =>
  createHash("sha256")
    .update(readFileSync(join(STOREFRONT_ROOT, "package-lock.json")))
    .digest("hex");

const stamp = (name) => join(CACHE, `${name}.stamp`);
const stamped = (name, value) => existsSync(stamp(name)) && readFileSync(stamp(name), "utf8") === value;
const setStamp = (name, value) => writeFileSync(stamp(name), value);

function env(db, database, extra = {}) {
  return {
    ...process.env,
    ...SECRETS,
    DB_HOST: db.host,
    DB_PORT: String(db.port),
    DB_USER: db.user,
    DB_PASSWORD: "",
    DB_NAME: database,
    DB_SSLMODE: "disable",
    SUPPRESS_NO_CONFIG_WARNING: "1",
    NODE_OPTIONS: `--import=${LOOPBACK}`,
    ...extra,
  };
}

async function step(name, command, args, options) {
  const started = Date.now();
  try {
    await run(command, args, { cwd: STOREFRONT_ROOT, maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    throw new Error(`${name} failed:\n${String(error.stdout ?? "").slice(-4000)}${error.stderr ?? error.message}`);
  }
  console.log(`storefront: ${name} took ${Math.round((Date.now() - started) / 1000)} s`);
}

/** `npm ci` of the suite's own package-lock.json (EverShop and its one missing dependency), once per lockfile. */
export async function ensureInstalled() {
  const hash = lockHash();
  if (stamped("installed", hash) && existsSync(EVERSHOP)) return;
  await step("npm ci (EverShop)", "npm", ["ci", "--no-audit", "--no-fund"], { timeout: INSTALL_TIMEOUT_MS });
  mkdirSync(CACHE, { recursive: true });
  setStamp("installed", hash);
}

/** `evershop build` (webpack, minutes on a busy machine), once per install. */
export async function ensureBuilt(db) {
  const hash = lockHash();
  if (stamped("built", hash) && existsSync(join(STOREFRONT_ROOT, ".evershop/build"))) return;
  await step("evershop build", process.execPath, [EVERSHOP, "build"], {
    env: env(db, SEED_DB),
    timeout: BUILD_TIMEOUT_MS,
  });
  setStamp("built", hash);
}

/** Starts EverShop on `database`; resolves once it answers on its loopback port. */
export async function startEverShop(db, database, { homeUrl, port, logFile } = {}) {
  const [chosen] = port ? [port] : await freePorts(1);
  const proc = await startProcess({
    name: "EverShop",
    command: process.execPath,
    args: [EVERSHOP, "start"],
    cwd: STOREFRONT_ROOT,
    env: env(db, database, { PORT: String(chosen), ...(homeUrl ? { EVERSHOP_HOME_URL: homeUrl } : {}) }),
    logFile,
    timeoutMs: START_TIMEOUT_MS,
    readyWhen: (output) => /Your website is running at/.test(output),
  });
  const url = `http://127.0.0.1:${chosen}`;
  await waitForHttp(`${url}/`, START_TIMEOUT_MS);
  return { url, port: chosen, proc };
}

async function api(base, path, body, token) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json.data;
}

/**
 * The seeded database, once per install: EverShop's own migrations and demo
 * catalog (`evershop seed`: 15 products in 4 categories), a picture per
 * product, and what an operator sets up in the admin panel before the first
 * sale (a shipping zone with a rate, cash on delivery on), plus a customer
 * account registered the way the storefront registers one.
 */
export async function ensureSeeded(db) {
  const value = `${lockHash()} ${SEED_VERSION}`;
  const exists = (await psql(db, "postgres", `SELECT 1 FROM pg_database WHERE datname = '${SEED_DB}'`)) === "1";
  if (exists && stamped("seeded", value)) return;
  const started = Date.now();
  await psql(db, "postgres", `DROP DATABASE IF EXISTS ${SEED_DB} WITH (FORCE)`);
  await psql(db, "postgres", `CREATE DATABASE ${SEED_DB}`);
  const shop = await startEverShop(db, SEED_DB, { logFile: join(CACHE, "seed-evershop.log") }); // runs the migrations
  try {
    await step("evershop seed", process.execPath, [EVERSHOP, "seed", "--all"], {
      env: env(db, SEED_DB),
      timeout: STEP_TIMEOUT_MS,
    });
    await addPictures(db);
    await step(
      "evershop user:create",
      process.execPath,
      [EVERSHOP, "user:create", "--name", OPERATOR.name, "--email", OPERATOR.email, "--password", OPERATOR.password],
      { env: env(db, SEED_DB), timeout: STEP_TIMEOUT_MS },
    );
    const { accessToken } = await api(shop.url, "/api/user/tokens", {
      email: OPERATOR.email,
      password: OPERATOR.password,
    });
    const zone = await api(
      shop.url,
      "/api/shippingZones",
      { name: "Everywhere we ship", countries: [SHIPPING_COUNTRY] },
      accessToken,
    );
    const method = await api(
      shop.url,
      "/api/shippingProviders/core/methods",
      { name: "Standard delivery" },
      accessToken,
    );
    await api(
      shop.url,
      "/api/shippingProviders/core/rates",
      { method_id: method.uuid, zone_id: zone.uuid, cost: 5, is_enabled: true },
      accessToken,
    );
    await api(shop.url, "/api/settings", { codPaymentStatus: 1, codDisplayName: "Cash on Delivery" }, accessToken);
    await api(shop.url, "/api/customers", CUSTOMER);
  } finally {
    await shop.proc.stop();
  }
  setStamp("seeded", value);
  console.log(`storefront: seeding took ${Math.round((Date.now() - started) / 1000)} s`);
}

/** EverShop's seed fetches its photos from GitHub; offline, each product gets a generated picture instead. */
async function addPictures(db) {
  const dir = join(STOREFRONT_ROOT, "media/catalog/stayopen");
  mkdirSync(dir, { recursive: true });
  const skus = (await psql(db, SEED_DB, "SELECT sku FROM product ORDER BY sku")).split("\n").filter(Boolean);
  for (const sku of skus) writeFileSync(join(dir, `${sku.toLowerCase()}.png`), productPng(sku));
  await psql(
    db,
    SEED_DB,
    `INSERT INTO product_image (product_image_product_id, origin_image, is_main)
     SELECT product_id, '/assets/catalog/stayopen/' || lower(sku) || '.png', true FROM product p
     WHERE NOT EXISTS (SELECT 1 FROM product_image i WHERE i.product_image_product_id = p.product_id)`,
  );
}

/** A fresh copy of the seeded database for one run (orders of earlier runs never count). */
export async function freshRunDatabase(db) {
  await psql(db, "postgres", `DROP DATABASE IF EXISTS ${RUN_DB} WITH (FORCE)`);
  await psql(db, "postgres", `CREATE DATABASE ${RUN_DB} TEMPLATE ${SEED_DB}`);
}

/** Everything up to a startable storefront: PostgreSQL, install, build, seed. Returns the database address. */
export async function prepareStorefront() {
  const db = await startPostgres();
  await ensureInstalled();
  await ensureBuilt(db);
  await ensureSeeded(db);
  return db;
}
