// Bundles a bench-only worker the way `wrangler deploy` bundles stayopen (same
// wrangler, same compatibility date, no names kept), without deploying it.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../scripts/lib/paths.mjs";

const run = promisify(execFile);
const WRANGLER = resolve(projectRoot, "node_modules/wrangler/bin/wrangler.js");

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
  const bundleDir = join(outDir, "bundle");
  try {
    await run(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", bundleDir, "-c", config], {
      cwd: projectRoot,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", NO_COLOR: "1" },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
  } catch (error) {
    throw new Error(`building ${main} failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`);
  }
  const bundle = join(
    bundleDir,
    `${main
      .split("/")
      .at(-1)
      .replace(/\.[jt]s$/, "")}.js`,
  );
  if (!existsSync(bundle)) throw new Error(`wrangler built no ${bundle}`);
  return bundle;
}
