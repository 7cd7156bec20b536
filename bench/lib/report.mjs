// The benchmark results as the Markdown that goes to bench/results/ and the README.

const n = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "–";
const ms = (value) => `${n(value, value < 10 ? 2 : 1)} ms`;
const verdict = (r) => (r.pending ? "SKIPPED: not built yet" : r.error ? "error" : r.met ? "yes" : "**no**");

function row(id, r) {
  if (r.pending) return `| ${id} | ${r.title} | – | – | – | – | SKIPPED: not built yet (${r.pending}) |`;
  if (r.error) return `| ${id} | ${r.title} | – | – | – | – | error: ${r.error.split("\n")[0]} |`;
  switch (Number(id)) {
    case 1: {
      const latency = (name) => `p50 ${ms(r.paced[name].latencyMs.p50)} · p99 ${ms(r.paced[name].latencyMs.p99)}`;
      // Runs from before the floor worker have no floor figures.
      const floor = r.floor
        ? `; floor: ${n(r.floor.rps)} rps (${n(r.floorRatio, 2)}× bare), 4 connections: ${latency("floor")}`
        : "";
      const toFloor = r.floor ? ` (${n(r.ratioToFloor, 2)}× floor)` : "";
      return `| 1 | ${r.title} | ${n(r.stayopen.rps)} rps at saturation; 4 connections: ${latency("stayopen")} | bare: ${n(r.bare.rps)} rps, 4 connections: ${latency("bare")}${floor} | ${n(r.ratio, 2)}× bare rps${toFloor}, p99 ${r.p99DeltaMs >= 0 ? "+" : ""}${ms(r.p99DeltaMs)} | ${r.target} | ${verdict(r)} |`;
    }
    case 2:
      return `| 2 | ${r.title} | ${n(r.stayopen.rps)} rps · p50 ${ms(r.stayopen.latencyMs.p50)} · p99 ${ms(r.stayopen.latencyMs.p99)} (source: ${r.source}) | healthy stayopen (1) | ${n(r.ratio, 2)}× | ${r.target} | ${verdict(r)} |`;
    case 3:
      return `| 3 | ${r.title} | ${n(r.stayopen.rps)} rps with 4 connections: p50 ${ms(r.stayopen.latencyMs.p50)} · p99 ${ms(r.stayopen.latencyMs.p99)} · max ${ms(r.stayopen.latencyMs.max)} over ${r.durationS} s | breaker opened after ${n(r.tripMs)} ms | ${r.waitedForTimeout} of ${n(r.stayopen.requests)} requests waited ≥ 0.9× timeout | ${r.target} | ${verdict(r)} |`;
    case 4: {
      const floor = r.floor
        ? `floor: ${n(r.floorPerS)} 202/s · p50 ${ms(r.floor.latencyMs.p50)} · p99 ${ms(r.floor.latencyMs.p99)}`
        : "–";
      const toFloor = r.floor ? `${n(r.ratioToFloor, 2)}× floor; ` : "";
      return `| 4 | ${r.title} | ${n(r.perS)} 202/s · p50 ${ms(r.stayopen.latencyMs.p50)} · p99 ${ms(r.stayopen.latencyMs.p99)} | ${floor} | ${toFloor}${n(r.accepted)} of ${n(r.stayopen.requests)} answered 202 | ${r.target} | ${verdict(r)} |`;
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
    `Placement: ${facts.placement}. Load: ${facts.connections} keep-alive connections, ${facts.durationS} s per measurement, loopback only. Scenario 1: throughput at saturation in two alternating rounds per worker (bare, floor, stayopen) after a 2 s warm-up each, latency with 4 connections (little queueing) for each; scenario 3 with 4 connections too; scenario 4: every order from a different shopper (CF-Connecting-IP), then the floor worker under the same load.`,
    "",
    "| # | scenario | stayopen | baseline | ratio / finding | target | met |",
    "|---|---|---|---|---|---|---|",
    ...Object.entries(results).map(([id, r]) => row(id, r)),
    "",
  ];
  if (pending?.length) lines.push(`Features not built yet when this ran: ${pending.join(", ")}.`, "");
  return `${lines.join("\n")}\n`;
}
