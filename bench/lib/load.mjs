// autocannon with our own latency record: its histogram keeps whole
// milliseconds and only 2xx answers, we want sub-millisecond p99 of every answer
// and to count the requests that waited longer than a threshold.
import autocannon from "autocannon";

const MAX_SAMPLES = 2_000_000;

/**
 * @param {{url: string, connections?: number, durationS?: number, amount?: number,
 *   requests?: object[], timeoutS?: number, slowMs?: number, overallRate?: number}} options
 */
export function load({
  url,
  connections = 32,
  durationS,
  amount,
  requests,
  timeoutS = 10,
  slowMs = Infinity,
  overallRate,
}) {
  const samples = new Float64Array(MAX_SAMPLES);
  let recorded = 0;
  let slow = 0;
  const statuses = {};
  // The slowest answer of each status: the one shopper who waited longest for a 202 is the figure that matters.
  const slowestByStatus = {};
  // The five slowest answers with when they finished (seconds into the run): a stall shows as a cluster.
  const slowest = [];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        ...(amount ? { amount } : { duration: durationS }),
        requests,
        timeout: timeoutS,
        // A fixed arrival rate below capacity: latency then shows service time, not queueing.
        ...(overallRate ? { overallRate } : {}),
        // Keep connections open like a browser or CDN would.
        pipelining: 1,
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsedS = (performance.now() - started) / 1000;
        const sorted = samples.subarray(0, recorded).sort();
        const at = (q) => (recorded ? sorted[Math.min(recorded - 1, Math.floor(q * recorded))] : NaN);
        resolve({
          requests: recorded,
          rps: recorded / (amount ? elapsedS : durationS),
          elapsedS,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: recorded ? sorted[recorded - 1] : NaN },
          slowestByStatus,
          slowest,
          slow,
        });
      },
    );
    instance.on("response", (client, statusCode, bytes, responseTime) => {
      if (recorded < MAX_SAMPLES) samples[recorded++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      slowestByStatus[statusCode] = Math.max(slowestByStatus[statusCode] ?? 0, responseTime);
      if (slowest.length < 5 || responseTime > slowest[4].ms) {
        const atS = Math.round(performance.now() - started) / 1000;
        slowest.push({ ms: Math.round(responseTime), atS, status: statusCode });
        slowest.sort((a, b) => b.ms - a.ms).splice(5);
      }
      if (responseTime >= slowMs) slow += 1;
    });
  });
}

/**
 * Means of a few alternating rounds, so a noisy machine's slow drift hits every
 * worker alike: rps, latency (the slowest of all), statuses, errors and timeouts.
 */
export function mergeRounds(runs) {
  const mean = (pick) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  const total = (pick) => runs.reduce((sum, r) => sum + pick(r), 0);
  const statuses = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  return {
    rps: mean((r) => r.rps),
    requests: total((r) => r.requests),
    latencyMs: {
      p50: mean((r) => r.latencyMs.p50),
      p99: mean((r) => r.latencyMs.p99),
      max: Math.max(...runs.map((r) => r.latencyMs.max)),
    },
    statuses,
    errors: total((r) => r.errors),
    timeouts: total((r) => r.timeouts),
  };
}
