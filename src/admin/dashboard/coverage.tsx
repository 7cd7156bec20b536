import type { ReadinessReport } from "../../readiness";
import { Table } from "./table";

const age = (seconds: number | null) =>
  seconds === null
    ? "—"
    : seconds < 120
      ? `${seconds} s`
      : seconds < 7200
        ? `${Math.round(seconds / 60)} min`
        : `${Math.round(seconds / 3600)} h`;

/** The readiness report: score, what to fix, and which pages would be served during an outage. */
export function CoverageSection({ readiness }: { readiness: ReadinessReport }) {
  return (
    <section aria-labelledby="coverage-heading">
      <h2 id="coverage-heading">Readiness and snapshot coverage</h2>
      <p>
        Readiness score: <strong>{readiness.score}</strong> of 100
      </p>
      {readiness.fix.length > 0 ? (
        <>
          <h3>What to fix</h3>
          <ol>
            {readiness.fix.map((fix) => (
              <li>{fix}</li>
            ))}
          </ol>
        </>
      ) : null}
      <h3>Checks</h3>
      <ul>
        {readiness.checks.map((check) => (
          <li>
            <strong>{check.ok ? "OK" : "To do"}</strong> {check.detail}
          </li>
        ))}
      </ul>
      <h3 id="pages-heading">Pages</h3>
      <Table labelledBy="pages-heading" columns={["Page", "Kind", "Snapshot", "Age"]}>
        {readiness.pages.map((page) => (
          <tr>
            <td>{page.path}</td>
            <td>{page.kind}</td>
            <td>{page.servable ? "ready" : page.snapshot ? "too old" : "missing"}</td>
            <td>{age(page.ageSeconds)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
