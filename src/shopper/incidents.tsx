import type { Incident } from "../incidents/incident";
import { When } from "./when";

const KINDS: Record<Incident["kind"], string> = {
  outage: "Our shop system could not be reached",
  maintenance: "Closed for maintenance",
};

/** An incident's updates, oldest first, each with its time. */
export function IncidentUpdates({ updates }: { updates: Incident["updates"] }) {
  return (
    <ol>
      {updates.map((update) => (
        <li>
          <When at={update.at} />: {update.message}
        </li>
      ))}
    </ol>
  );
}

function IncidentEntry({ incident }: { incident: Incident }) {
  const { impact } = incident;
  const heading = `${incident.id}-title`;
  return (
    <article id={incident.id} aria-labelledby={heading}>
      <h3 id={heading}>{incident.title}</h3>
      <dl>
        <dt>What happened</dt>
        <dd>{KINDS[incident.kind]}</dd>
        <dt>Started</dt>
        <dd>
          <When at={incident.startedAt} />
        </dd>
        <dt>Ended</dt>
        <dd>{incident.endedAt ? <When at={incident.endedAt} /> : "Still ongoing"}</dd>
        <dt>Pages shown from our saved copy</dt>
        <dd>{impact.staleServed}</dd>
        <dt>Orders taken meanwhile</dt>
        <dd>{impact.ordersAccepted}</dd>
        <dt>Of those, passed on to the shop</dt>
        <dd>{impact.ordersDelivered}</dd>
      </dl>
      {incident.updates.length > 0 ? (
        <>
          <h4>Updates</h4>
          <IncidentUpdates updates={incident.updates} />
        </>
      ) : null}
    </article>
  );
}

/** The incident history on the status page, newest first, with where to follow it. */
export function IncidentHistory({ incidents }: { incidents: Incident[] }) {
  return (
    <section aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">Recent incidents</h2>
      {incidents.length === 0 ? <p>No incidents in the last 90 days.</p> : null}
      {incidents.map((incident) => (
        <IncidentEntry incident={incident} />
      ))}
      <p>
        Follow incidents in a feed reader: <a href="/__stayopen/incidents.atom">incident feed (Atom)</a>. Every
        incident: <a href="/__stayopen/incidents.json">incident history (JSON)</a>.
      </p>
    </section>
  );
}
