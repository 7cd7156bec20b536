// A small check runner shared by chaos, e2e and drill: every check prints one
// line as it finishes, a check whose feature is not built yet is SKIPPED
// visibly (never a silent pass), and the last line is `<label>: N passed, M failed, K skipped`.

/** Thrown by a check that needs a route another issue has not delivered yet. */
export class NotBuiltYet extends Error {
  constructor(feature) {
    super(`${feature.route} answers the /__stayopen/* catch-all 404 (issue ${feature.issue})`);
    this.feature = feature;
  }
}

export class CheckFailed extends Error {}

/** Fails the current check with `message` unless `condition` holds. */
export function expect(condition, message) {
  if (!condition) throw new CheckFailed(typeof message === "function" ? message() : message);
}

export function createChecks(label, { print = console.log } = {}) {
  const results = [];

  function add(result) {
    results.push(result);
    if (result.outcome === "passed") print(`  ok    ${result.name}${result.detail ? ` — ${result.detail}` : ""}`);
    else if (result.outcome === "failed") print(`  FAIL  ${result.name} — ${result.detail}`);
    else print(`  SKIPPED: not built yet — ${result.name} (${result.detail})`);
    return result.outcome === "passed";
  }

  return {
    results,
    /** Runs fn; a returned string is shown as the detail of a passed check. */
    async check(name, fn) {
      const started = Date.now();
      try {
        const detail = await fn();
        return add({
          name,
          outcome: "passed",
          detail: typeof detail === "string" ? detail : "",
          ms: Date.now() - started,
        });
      } catch (error) {
        if (error instanceof NotBuiltYet)
          return add({ name, outcome: "skipped", detail: error.message, feature: error.feature });
        const detail = error instanceof CheckFailed ? error.message : `${error.name}: ${error.message}`;
        return add({ name, outcome: "failed", detail, ms: Date.now() - started });
      }
    },
    /** A check computed elsewhere. */
    record(name, ok, detail = "") {
      return add({ name, outcome: ok ? "passed" : "failed", detail });
    },
    pending(name, feature) {
      return add({ name, outcome: "skipped", detail: new NotBuiltYet(feature).message, feature });
    },
    counts() {
      const count = (outcome) => results.filter((r) => r.outcome === outcome).length;
      return { passed: count("passed"), failed: count("failed"), skipped: count("skipped") };
    },
    /** Prints the pending features and the closing line; returns the exit code. */
    finish() {
      const skipped = results.filter((r) => r.outcome === "skipped");
      if (skipped.length) {
        const waiting = [
          ...new Set(skipped.map((r) => `${r.feature.name} (${r.feature.route}, issue ${r.feature.issue})`)),
        ];
        print(`\n${label}: ${skipped.length} checks wait for features not built yet: ${waiting.join("; ")}`);
      }
      const { passed, failed } = this.counts();
      print(`${label}: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
      return failed > 0 ? 1 : 0;
    },
  };
}
