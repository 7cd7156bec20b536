import type { OperatorStatus } from "./data";
import { formatSpan, groupErrors, groupTransitions } from "./repeats";
import { Table } from "./table";
import { formatAsOf } from "../../time";

const WORDS = { up: "Up", degraded: "Degraded", down: "Down" } as const;

const when = (iso: string | number) => formatAsOf(typeof iso === "number" ? iso : Date.parse(iso));

/**
 * The origin as its monitor sees it for the whole deployment: state, breaker,
 * probes, recent errors and history. A flapping origin repeats itself: repeats
 * are shown once with a count and their time span (the JSON status keeps each).
 */
export function OriginSection({ status }: { status: OperatorStatus }) {
  const origin = status.origin;
  return (
    <section aria-labelledby="origin-heading">
      <h2 id="origin-heading">Origin</h2>
      <p>
        <span class={`state state-${origin.state}`}>{WORDS[origin.state]}</span> {origin.url}
      </p>
      <dl>
        <dt>Breaker</dt>
        <dd>
          {origin.breaker.state} since {when(origin.breaker.since)}
        </dd>
        {origin.breaker.lastError ? (
          <>
            <dt>Last error</dt>
            <dd>{origin.breaker.lastError}</dd>
          </>
        ) : null}
        {origin.slowStart ? (
          <>
            <dt>Slow start</dt>
            <dd>{Math.round(origin.slowStart.share * 100)}% of traffic</dd>
          </>
        ) : null}
        <dt>Health probes</dt>
        <dd>
          {origin.probes.total} sent, {origin.probes.failed} failed
          {origin.probes.nextAt ? `; next at ${when(origin.probes.nextAt)}` : ""}
        </dd>
      </dl>
      {origin.recentErrors.length > 0 ? (
        <>
          <h3>Recent errors</h3>
          <ul>
            {groupErrors(origin.recentErrors).map((error) => (
              <li>
                {formatSpan(error.since, error.until)}: {error.reason} ({error.source}, {error.count}×)
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {status.backups.length > 0 ? (
        <>
          <h3>Backup origins</h3>
          <ul>
            {status.backups.map((backup) => (
              <li>
                <span class={`state state-${backup.state}`}>{WORDS[backup.state]}</span> {backup.url} (
                {backup.orders ? "takes orders" : "catalog only"}; breaker {backup.breaker.state})
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3 id="events-heading">Breaker events</h3>
      {origin.transitions.length === 0 ? (
        <p>No state changes recorded.</p>
      ) : (
        <Table labelledBy="events-heading" columns={["When", "Change", "Cause"]}>
          {groupTransitions(origin.transitions).map((run) => (
            <tr>
              <td>{formatSpan(run.since, run.until)}</td>
              <td>
                {run.from} {run.alternating ? "↔" : "→"} {run.to}
                {run.count > 1 ? ` ×${run.count}` : ""}
              </td>
              <td>{run.causes.join("; ")}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
