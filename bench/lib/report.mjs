// The benchmark results as the Markdown that goes to bench/results/ and the README.

const n = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "–";
const ms = (value) => `${n(value, value < 10 ? 2 : 1)} ms`;
const cpu = (run) => `${n(run?.cpuUsPerRequest)} µs CPU/request`;
const verdict = (r) => (r.pending ? "SKIPPED: not built yet" : r.error ? "error" : r.met ? "yes" : "**no**");

function row(id, r) {
  if (r.pending) return `| ${id} | ${r.title} | – | – | – | – | SKIPPED: not built yet (${r.pending}) |`;
  if (r.error) return `| ${id} | ${r.title} | – | – | – | – | error: ${r.error.split("\n")[0]} |`;
  switch (Number(id)) {
    case 1:
      return r.sizes
        .map((x) => {
          const latency = (name) => `p50 ${ms(x.paced[name].latencyMs.p50)} · p99 ${ms(x.paced[name].latencyMs.p99)}`;
          const before = x.before
            ? `; before: ${n(x.before.rps)} rps (${n(x.beforeRatio, 2)}× bare), ${cpu(x.before)}, 4 connections: ${latency("before")}`
            : "";
          return `| 1 | ${r.title}, ${x.size.label} | ${n(x.stayopen.rps)} rps, ${cpu(x.stayopen)}, max ${ms(x.stayopen.latencyMs.max)}; 4 connections: ${latency("stayopen")}${before} | bare: ${n(x.bare.rps)} rps, ${cpu(x.bare)}, 4 connections: ${latency("bare")}; floor: ${n(x.floor.rps)} rps (${n(x.floorRatio, 2)}× bare), ${cpu(x.floor)} | ${n(x.ratio, 2)}× bare rps (${n(x.ratioToFloor, 2)}× floor), p99 ${x.p99DeltaMs >= 0 ? "+" : ""}${ms(x.p99DeltaMs)} | ${r.target} | ${verdict(x)} |`;
        })
        .join("\n");
    case 2:
    case 3:
      return r.sizes
        .map((x) => {
          const kind = Number(id) === 2 ? "stale" : "hanging";
          const one = (name) => {
            const y = x[name];
            const run = y[kind];
            return `${n(run.rps)} rps (${n(y.ratio, 2)}× its healthy), ${cpu(run)} (healthy ${n(y.healthy?.cpuUsPerRequest)} µs), p99 ${ms(run.latencyMs.p99)} (healthy ${ms(y.healthy?.latencyMs.p99)}), max ${ms(run.latencyMs.max)}, source ${y.source}${run.slow ? `, ${run.slow} waited ≥ 0.9× timeout` : ""}`;
          };
          const finding =
            x.stayopen[kind].slow === undefined
              ? ""
              : `${x.stayopen[kind].slow} of ${n(x.stayopen[kind].requests)} waited ≥ 0.9× timeout; `;
          return `| ${id} | ${r.title}, ${x.size.label} | ${one("stayopen")} | ${x.before ? `before: ${one("before")}` : "healthy stayopen (1)"} | ${finding}${n(x.stayopen.ratio, 2)}× healthy rps | ${r.target} | ${verdict(x)} |`;
        })
        .join("\n");
    case 4: {
      const one = (label, x) =>
        `${label}: ${n(x.perS)} 202/s · p99 ${ms(x.run.latencyMs.p99)} · slowest 202 ${ms(x.slowest202Ms)}, ${cpu(x.run)}`;
      const floor = one("floor", { perS: r.floorPerS, run: r.floor, slowest202Ms: r.floorSlowest202Ms });
      const others = [
        ...(r.contract ? [one("contract floor", r.contract)] : []),
        ...(r.ladder ?? []).map((step) => one(step.name, step)),
        ...(r.before ? [one("before", r.before)] : []),
      ];
      const toContract = r.contract ? ` (${n(r.ratioToContract, 2)}× the contract floor)` : "";
      return `| 4 | ${r.title} | ${n(r.perS)} 202/s · p50 ${ms(r.stayopen.latencyMs.p50)} · p99 ${ms(r.stayopen.latencyMs.p99)} · slowest 202 ${ms(r.slowest202Ms)}, ${cpu(r.stayopen)} | ${[floor, ...others].join("; ")} | ${n(r.ratioToFloor, 2)}× floor${toContract}; ${n(r.accepted)} of ${n(r.stayopen.requests)} answered 202 | ${r.target} | ${verdict(r)} |`;
    }
    case 5:
      return `| 5 | ${r.title} | ${n(r.perS)} delivered/s (${n(r.delivered)} of ${n(r.queued)}; first after ${n(r.firstDeliveryAfterMs)} ms) | – | duplicates in effect ${r.duplicatesInEffect} (on the wire ${r.wireDuplicates}, keys changed ${r.foreignKeys}); left in queue ${r.leftInQueue}; origin concurrency peak ${r.peakConcurrency} of ${r.ceiling} allowed${r.peakAheadOfAnswered === undefined ? "" : `, at most ${r.peakAheadOfAnswered} in flight beyond those answered`}, per 100 ms from the first delivery: ${r.ramp.join(", ")} | ${r.target} | ${verdict(r)} |`;
    case 6:
      return `| 6 | ${r.title} | heap ${r.readings.map((x) => `${n(x.orders / 1000)}k: ${n(x.heapMiB, 1)}`).join(", ")} MiB | workerd RSS ${r.readings.map((x) => `${n(x.rssMiB)}`).join(", ")} MiB | heap ${n(r.heapBytesPerOrder, 1)} bytes/order, RSS ${n(r.rssBytesPerOrder)} bytes/order | ${r.target} | ${verdict(r)} |`;
    default:
      return "";
  }
}

export function markdownReport({ facts, results, pending }) {
  const lines = [
    `# stayopen benchmark, ${facts.date.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${facts.cpu}, ${facts.cores} cores, ${facts.memoryGiB} GiB; Node ${facts.node}; workerd ${facts.workerd} (wrangler ${facts.wrangler}); autocannon ${facts.autocannon}.`,
    `Machine load (1-minute average) at start ${n(facts.loadAverageAtStart, 1)}, at end ${n(facts.loadAverageAtEnd, 1)}${facts.loadAverageAtStart > 1.5 ? ": other work was running, absolute numbers are low; compare the ratios" : ""}.`,
    `Placement: ${facts.placement}. Load: ${facts.connections} keep-alive connections, ${facts.durationS} s per measurement, loopback only. Pages: ${(facts.sizes ?? []).join(", ")} (realistic shop HTML, GETs rotating over the paths)${facts.before ? `; \`before\` is ${facts.before} built and run in the same workerd, measured in the same rounds` : ""}. CPU per request: workerd's user + system time over the run divided by the answers. Scenario 1: throughput at saturation in two alternating rounds per worker (bare, floor, stayopen) after a 2 s warm-up each, latency with 4 connections (little queueing) for each; scenarios 2 and 3 at 32 connections, compared with the same build's scenario 1; scenario 4: every order from a different shopper (CF-Connecting-IP), stayopen, the contract floor and the floor worker in two alternating rounds under the same load.`,
    "",
    "| # | scenario | stayopen | baseline | ratio / finding | target | met |",
    "|---|---|---|---|---|---|---|",
    ...Object.entries(results).map(([id, r]) => row(id, r)),
    "",
  ];
  if (pending?.length) lines.push(`Features not built yet when this ran: ${pending.join(", ")}.`, "");
  return `${lines.join("\n")}\n`;
}
