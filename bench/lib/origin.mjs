// The bench origin (bench/origin.mjs) as a child process, for every bench script.
import { resolve } from "node:path";
import { projectRoot } from "../../scripts/lib/paths.mjs";
import { firstJsonLine, startProcess } from "../../scripts/lib/processes.mjs";

/**
 * Starts the bench origin; `ready` holds its `origin` and `control` URLs.
 * `cpus`: the CPU list to pin it to (taskset), as the load generator's.
 */
export function startBenchOrigin({ cpus } = {}) {
  return startProcess({
    name: "bench origin",
    command: process.execPath,
    args: [resolve(projectRoot, "bench/origin.mjs")],
    cpus,
    readyWhen: (output) => firstJsonLine(output, "origin"),
  });
}
