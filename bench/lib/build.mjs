// Bundles a bench-only worker the way `wrangler deploy` bundles stayopen (same
// wrangler, same compatibility date, no names kept), without deploying it.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { projectRoot } from "../../scripts/lib/paths.mjs";
import { buildWorker } from "../../scripts/lib/processes.mjs";

/** `main`: the worker's entry, relative to the project root; returns the bundled module's path. */
export async function buildBenchWorker(name, main, outDir) {
  mkdirSync(outDir, { recursive: true });
  const config = join(outDir, "wrangler.toml");
  writeFileSync(
    config,
    [
      `name = ${JSON.stringify(name)}`,
      `main = ${JSON.stringify(resolve(projectRoot, main))}`,
      `compatibility_date = "2026-04-01"`,
      `keep_names = false`,
      "",
    ].join("\n"),
  );
  return buildWorker(join(outDir, "bundle"), { config, entry: basename(main).replace(/\.[jt]s$/, "") });
}
