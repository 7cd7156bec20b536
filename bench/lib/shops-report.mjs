// The many-shops benchmark (bench/shops.mjs) as the Markdown that goes to bench/results/.

const n = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "–";
const ms = (value) => `${n(value, value < 10 ? 2 : 1)} ms`;
const kib = (bytes) => `${n(bytes / 1024, 0)} KiB`;

const LABELS = {
  bare: "bare pass-through worker",
  single: "stayopen, single-shop mode (no PLATFORM_TOKEN)",
  one: "stayopen, one shop's host of the registered shops",
  rotation: "stayopen, every request another registered shop's host",
};

export function shopsReport(r) {
  const f = r.facts;
  const row = (phase, name) => {
    const s = phase.saturated;
    return `| ${LABELS[name]} | ${n(s[name].rps)} (${s[name].rounds.map((x) => n(x)).join(", ")}) | ${n(s[name].rps / s.single.rps, 3)}× | ${n(s[name].cpuUsPerRequest)} µs | ${ms(phase.paced[name].latencyMs.p50)} · ${ms(phase.paced[name].latencyMs.p99)} · ${ms(phase.paced[name].latencyMs.max)} | ${ms(s[name].latencyMs.p99)} · ${ms(s[name].latencyMs.max)} | ${statusText(s[name])} |`;
  };
  const header = [
    `| target | rps (per round) | vs single-shop | workerd CPU / request | 4 connections: p50 · p99 · slowest | ${f.connections} connections: p99 · slowest | statuses |`,
    "|---|---|---|---|---|---|---|",
  ];
  const lines = [
    `# stayopen many-shops benchmark, ${f.date.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${f.cpu}, ${f.cores} cores, ${f.memoryGiB} GiB; Node ${f.node}; workerd ${f.workerd} (wrangler ${f.wrangler}); autocannon ${f.autocannon}.`,
    `Machine load (1-minute average) at start ${n(f.loadAverageAtStart, 1)}, at end ${n(f.loadAverageAtEnd, 1)}${f.loadAverageAtStart > 1.5 ? ": other work was running, absolute numbers are low; compare the ratios" : ""}.`,
    `Placement: ${f.placement}. ${n(f.shops)} shops registered through ${r.registration.via} in ${n(r.registration.seconds, 1)} s${r.registration.slowestPutMs ? ` (slowest PUT ${ms(r.registration.slowestPutMs)})` : ""}. Load: healthy catalog GETs over 8 pages, ${f.connections} keep-alive connections, ${f.rounds} alternating rounds of ${f.durationS} s per target after 2 s of warm-up each; then each target with 4 connections (little queueing). Loopback only.`,
    "",
    `**${r.met ? "Met" : "Missed"}: ${r.target}** — ${n(r.ratio, 3)}×. Against the bare worker: single-shop ${n(r.bareRatio.single, 2)}×, one of ${n(f.shops)} ${n(r.bareRatio.one, 2)}×.`,
    "",
    `Phase 1: every shop registered and loaded in the isolate, shoppers on one shop's host only.`,
    "",
    ...header,
    ...["single", "one", "bare"].map((name) => row(r.phase1, name)),
    "",
    `Phase 2: every shop has shoppers (all in this one workerd, with every shop's Durable Objects: monitors, metrics, roster). Rotation over all ${n(f.shops)} hosts: ${n(r.rotationRatio, 3)}× single-shop.`,
    "",
    ...header,
    ...["single", "rotation"].map((name) => row(r.phase2, name)),
    "",
    `A shop's first request in the isolate (every shop once, 4 connections, before the rounds): ${n(r.firstRequests.rps)} rps, p50 ${ms(r.firstRequests.latencyMs.p50)}, p99 ${ms(r.firstRequests.latencyMs.p99)}, slowest ${ms(r.firstRequests.latencyMs.max)}, workerd CPU ${n(r.firstRequests.cpuUsPerRequest)} µs per request; ${statusText(r.firstRequests)}.`,
    "",
    `Checks: the measured shop's page came from \`${r.check.source}\`; an unregistered host answered ${r.check.unknownHostStatus}; ${r.check.configProblems} configuration problems logged for registered shops.`,
    "",
    "| registry cost | value |",
    "|---|---|",
    `| lookup per request, from memory (resolveShop), one host | ${n(r.lookup.one.nsPerLookup)} ns |`,
    `| lookup per request, cycling through ${n(r.lookup.rotation.hosts)} hosts | ${n(r.lookup.rotation.nsPerLookup)} ns |`,
    `| lookup per request, single-shop mode (no PLATFORM_TOKEN) | ${n(r.lookup.single.nsPerLookup)} ns |`,
    `| \`version()\` RPC (every isolate, at most once per 5 s) | ${ms(r.refresh.versionRpcMs)} |`,
    `| \`snapshot()\` RPC, ${n(r.refresh.shops)} shops | ${ms(r.refresh.snapshotRpcMs)}, ${kib(r.refresh.snapshotBytes)} as JSON (${n(r.refresh.snapshotBytes / r.refresh.shops)} bytes per shop) |`,
    `| refresh after a version change, one shop replaced (snapshot, that shop rebuilt) | ${ms(r.refresh.oneChangedMs)} (request ${ms(r.refresh.oneChangedRequestMs)}) |`,
    `| refresh of a new isolate (snapshot read; a shop is opened on its first request) | ${ms(r.refresh.fullRebuildMs)} (request ${ms(r.refresh.fullRebuildRequestMs)}) |`,
    "",
    "| memory | isolate heap | workerd RSS |",
    "|---|---|---|",
    `| \`many\` worker, registry empty | ${n(r.memory.before.heapMiB, 1)} MiB | ${n(r.memory.before.rssMiB, 1)} MiB |`,
    `| \`many\` worker, ${n(f.shops)} shops loaded | ${n(r.memory.after.heapMiB, 1)} MiB | ${n(r.memory.after.rssMiB, 1)} MiB |`,
    `| per registered shop | ${kib(r.memory.heapBytesPerShop)} (${n(r.memory.heapBytesPerShop)} bytes) | ${kib(r.memory.rssBytesPerShop)} (${n(r.memory.rssBytesPerShop)} bytes) |`,
    "",
  ];
  if (r.profiles) {
    lines.push("CPU profile (self time, share of samples) under the saturating load:", "");
    for (const [name, p] of Object.entries(r.profiles)) {
      lines.push(
        `- ${LABELS[name]} (${n(p.rps)} rps while profiled): ${p.top
          .slice(0, 10)
          .map((t) => `${t.fn} ${n(100 * t.share, 1)} %`)
          .join("; ")}`,
      );
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

function statusText(summary) {
  const codes = Object.entries(summary.statuses).map(([code, count]) => `${code}: ${n(count)}`);
  if (summary.errors) codes.push(`errors: ${n(summary.errors)}`);
  if (summary.timeouts) codes.push(`timeouts: ${n(summary.timeouts)}`);
  return codes.join(", ");
}
