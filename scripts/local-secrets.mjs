// Local secrets for `npm start`: created once in NAME="value" files (gitignored), reused after.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const token = { make: () => randomBytes(24).toString("base64url"), fits: (value) => Boolean(value) };
// The Standard Webhooks form, so a shop verifies with `new Webhook(REPLAY_SECRET)` as is; an older secret of
// another form is replaced (the demo shops read it from these files too).
const webhookSecret = {
  make: () => `whsec_${randomBytes(32).toString("base64")}`,
  fits: (value) => Boolean(value?.startsWith("whsec_")),
};

/** The file's variables, with each of `wanted` ({NAME: kind}) made anew when missing or unfit; other lines are kept. */
function keptSecrets(path, wanted) {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const vars = Object.fromEntries(
    existing
      .split("\n")
      .map((line) => /^([A-Z0-9_]+)\s*=\s*"?([^"]*)"?\s*$/.exec(line.trim()))
      .filter(Boolean)
      .map((match) => [match[1], match[2]]),
  );
  let changed = false;
  for (const [name, kind] of Object.entries(wanted)) {
    if (kind.fits(vars[name])) continue;
    vars[name] = kind.make();
    changed = true;
  }
  if (changed) {
    writeFileSync(
      path,
      Object.entries(vars)
        .map(([name, value]) => `${name}="${value}"`)
        .join("\n") + "\n",
      { mode: 0o600 },
    );
  }
  return vars;
}

/** The single-shop worker's secrets, in .dev.vars (wrangler reads it by itself). */
export function localSecrets(path = ".dev.vars") {
  return keptSecrets(path, { ADMIN_TOKEN: token, REPLAY_SECRET: webhookSecret });
}

/**
 * `npm start -- --shops N`: the worker's PLATFORM_TOKEN in .dev.platform.vars (handed to wrangler as its only
 * secrets file) and each demo shop's own ADMIN_TOKEN and REPLAY_SECRET in .dev.shops.vars (ALPHA_ADMIN_TOKEN, …):
 * those reach the worker only through the platform API, which keeps them in its registry.
 */
export function platformSecrets(ids, { platformPath = ".dev.platform.vars", shopsPath = ".dev.shops.vars" } = {}) {
  const { PLATFORM_TOKEN } = keptSecrets(platformPath, { PLATFORM_TOKEN: token });
  const prefix = (id) => id.toUpperCase().replace(/-/g, "_");
  const kept = keptSecrets(
    shopsPath,
    Object.fromEntries(
      ids.flatMap((id) => [
        [`${prefix(id)}_ADMIN_TOKEN`, token],
        [`${prefix(id)}_REPLAY_SECRET`, webhookSecret],
      ]),
    ),
  );
  const shops = Object.fromEntries(
    ids.map((id) => [
      id,
      { ADMIN_TOKEN: kept[`${prefix(id)}_ADMIN_TOKEN`], REPLAY_SECRET: kept[`${prefix(id)}_REPLAY_SECRET`] },
    ]),
  );
  return { PLATFORM_TOKEN, platformPath, shopsPath, shops };
}
