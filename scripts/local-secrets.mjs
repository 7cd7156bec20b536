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
  for (const name of ["ADMIN_TOKEN", "REPLAY_SECRET"]) {
    if (!vars[name]) {
      vars[name] = randomBytes(24).toString("base64url");
      changed = true;
    }
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
