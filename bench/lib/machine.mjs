// The machine a bench ran on, and CPU time of a process, for the reports.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { resolve } from "node:path";
import { projectRoot } from "../../scripts/lib/paths.mjs";

const versionOf = (path) => JSON.parse(readFileSync(resolve(projectRoot, path), "utf8")).version;

/** CPU, cores, memory, Node, workerd, wrangler and autocannon versions, and the load average now. */
export function machineFacts() {
  const requireFromMiniflare = createRequire(
    createRequire(resolve(projectRoot, "node_modules/wrangler/package.json")).resolve("miniflare"),
  );
  let workerd = JSON.parse(readFileSync(requireFromMiniflare.resolve("workerd/package.json"), "utf8")).version;
  try {
    workerd = execFileSync(requireFromMiniflare("workerd").default, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    // the package version is enough
  }
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    workerd,
    wrangler: versionOf("node_modules/wrangler/package.json"),
    autocannon: versionOf("node_modules/autocannon/package.json"),
    loadAverageAtStart: os.loadavg()[0],
  };
}

// USER_HZ: what /proc reports CPU time in, 100 on every Linux that matters here.
const TICKS_PER_S = 100;

/** User plus system CPU seconds a process (all its threads) has used so far (Linux /proc), or NaN. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}
