// Local secrets for `npm start`: created once in .dev.vars (gitignored), reused after.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function localSecrets(path = ".dev.vars") {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const vars = Object.fromEntries(
    existing
      .split("\n")
      .map((line) => /^([A-Z0-9_]+)\s*=\s*"?([^"]*)"?\s*$/.exec(line.trim()))
      .filter(Boolean)
      .map((match) => [match[1], match[2]]),
  );
  let changed = false;
  if (!vars.ADMIN_TOKEN) {
    vars.ADMIN_TOKEN = randomBytes(24).toString("base64url");
    changed = true;
  }
  // The Standard Webhooks form, so the shop verifies with `new Webhook(REPLAY_SECRET)` as is; an older
  // secret of another form is replaced (the demo shop reads it from here too).
  if (!vars.REPLAY_SECRET?.startsWith("whsec_")) {
    vars.REPLAY_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
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
