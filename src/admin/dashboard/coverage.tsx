import { Table } from "./table";
import type { ReadinessReport } from "../../readiness/report";
import type { StaticBackupStatus } from "../../static-backup/status";
import { formatAsOf } from "../../time";

const age = (seconds: number | null) =>
  seconds === null
    ? "—"
    : seconds < 120
      ? `${seconds} s`
      : seconds < 7200
        ? `${Math.round(seconds / 60)} min`
        : `${Math.round(seconds / 3600)} h`;

function staticBackupLine(status: StaticBackupStatus): string {
  if (!status.enabled) return "Off (STATIC_BACKUP=off).";
  if (!status.bound) return "On, but the STATIC_BACKUP_BUCKET binding is missing.";
  const published = status.published
    ? `Serving export ${status.published.version} from ${formatAsOf(Date.parse(status.published.completedAt))}: ${status.published.pages.stored} pages, ${status.published.assets.stored} assets.`
    : "No export published yet.";
  const run = status.run;
  if (!run) return published;
  if (!run.finished) return `${published} Export ${run.version} under way: ${run.pending} objects to go.`;
  return run.finished.outcome === "abandoned"
    ? `${published} The last run was abandoned (${run.finished.reason ?? "unknown reason"}).`
    : published;
}

/** The readiness report: score, what to fix, and which pages would be served during an outage. */
export function CoverageSection({ readiness, snapshots }: { readiness: ReadinessReport; snapshots: number }) {
  return (
    <section aria-labelledby="coverage-heading">
      <h2 id="coverage-heading">Readiness and snapshot coverage</h2>
      <p>
        Readiness score: <strong>{readiness.score}</strong> of 100
      </p>
      <p>Snapshots stored, all pages: {snapshots}</p>
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
      <h3>Static backup in R2</h3>
      <p>{staticBackupLine(readiness.staticBackup)}</p>
      {readiness.assets.some((page) => page.missing.length > 0) ? (
        <>
          <h3>Critical pages missing assets offline</h3>
          <ul>
            {readiness.assets
              .filter((page) => page.missing.length > 0)
              .map((page) => (
                <li>
                  {page.path}: {page.missing.length} of {page.assets} missing
                </li>
              ))}
          </ul>
        </>
      ) : null}
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
