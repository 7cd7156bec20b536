/** The shop registry from the tests' side: the object itself, and shops registered straight into it. */
import { env } from "cloudflare:test";
import type { Env } from "../../src/config/env";
import { REGISTRY_NAME, type ShopInput } from "../../src/config/registry";
import { VARIABLES, type ConfigVariable } from "../../src/config/schema";
import type { Shop } from "../../src/config/shop";
import { forgetShops, putShop, shopById } from "../../src/config/shops";

/** The deployment's one registry object (what the platform API talks to). */
export const registryObject = () => env.SHOP_REGISTRY.getByName(REGISTRY_NAME);

/** A valid Standard Webhooks secret of its own per shop (`whsec_` + base64 of 24 bytes). */
export function replaySecretFor(shopId: string): string {
  const bytes = new TextEncoder().encode(shopId.padEnd(24, "-").slice(0, 24));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * Registers (or replaces) a shop through this isolate, as the platform API
 * does, so the isolate serves it at once. The admin token and replay secret
 * are the shop's own unless `secrets` says otherwise.
 */
export async function registerShop(
  testEnv: Env,
  id: string,
  shop: { hosts: string[]; config: Record<string, string>; secrets?: Record<string, string> },
): Promise<void> {
  const input: ShopInput = {
    hosts: shop.hosts,
    config: shop.config,
    secrets: shop.secrets ?? { ADMIN_TOKEN: adminTokenFor(id), REPLAY_SECRET: replaySecretFor(id) },
  };
  const result = await putShop(testEnv, id, input, "test");
  if (!result.ok) throw new Error(`registering ${id} failed: ${JSON.stringify(result.conflict)}`);
}

export const adminTokenFor = (shopId: string) => `admin-token-of-${shopId}-0123456789`;

/** Writes straight into the registry object, as another isolate's platform API would: this isolate is not told. */
export async function registerBehindTheIsolate(id: string, input: ShopInput): Promise<void> {
  const result = await registryObject().put(id, input, "another-isolate");
  if (!result.ok) throw new Error(`registering ${id} failed: ${JSON.stringify(result.conflict)}`);
}

export { forgetShops };

/** The schema's variables an env sets, split as a registered shop keeps them: config (text values) and secrets. */
export function shopInputOf(testEnv: Env): Omit<ShopInput, "hosts"> {
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, doc] of Object.entries(VARIABLES) as [ConfigVariable, { secret?: true }][]) {
    const value: unknown = (testEnv as unknown as Record<string, unknown>)[name];
    if (typeof value !== "string" || name === "PLATFORM_TOKEN") continue;
    (doc.secret ? secrets : config)[name] = value;
  }
  return { config, secrets };
}

/** A registered shop with no host (serving no request) configured like `testEnv`: for tests of per-shop state. */
export async function registeredLike(testEnv: Env, id: string): Promise<Shop> {
  const result = await putShop(testEnv, id, { hosts: [], ...shopInputOf(testEnv) }, "test");
  if (!result.ok) throw new Error(`registering ${id} failed`);
  return (await shopById(testEnv, id))!;
}
