import type { Incident } from "../../incidents/incident";
import { MESSAGE_MAX, TITLE_MAX } from "../../incidents/incident";
import { IncidentUpdates } from "../../shopper/incidents";
import { When } from "../../shopper/when";
import { CsrfField } from "./forms";
import { ADMIN_BASE } from "../../http/wire";

export const incidentAction = (id: string, action: "title" | "updates") =>
  `${ADMIN_BASE}/dashboard/incidents/${id}/${action}`;

function IncidentForms({ incident, csrf }: { incident: Incident; csrf: string }) {
  const titleId = `${incident.id}-new-title`;
  const messageId = `${incident.id}-update`;
  return (
    <>
      <form method="post" action={incidentAction(incident.id, "title")}>
        <CsrfField token={csrf} />
        <label for={titleId}>Title</label>
        <input id={titleId} name="title" value={incident.title} maxlength={TITLE_MAX} required />
        <button type="submit">Retitle</button>
      </form>
      <form method="post" action={incidentAction(incident.id, "updates")}>
        <CsrfField token={csrf} />
        <label for={messageId}>Update for shoppers (also sent to NOTIFY_WEBHOOK_URL)</label>
        <textarea id={messageId} name="message" rows={2} maxlength={MESSAGE_MAX} required></textarea>
        <button type="submit">Post update</button>
      </form>
    </>
  );
}

/** The latest incidents as shoppers see them on the status page, each with a retitle and an update form. */
export function IncidentsSection({ incidents, csrf }: { incidents: Incident[]; csrf: string }) {
  return (
    <section aria-labelledby="incidents-heading">
      <h2 id="incidents-heading">Incident history</h2>
      {incidents.length === 0 ? <p>No incidents in the last 90 days.</p> : null}
      {incidents.map((incident) => (
        <article aria-labelledby={`${incident.id}-heading`}>
          <h3 id={`${incident.id}-heading`}>{incident.title}</h3>
          <p>
            {incident.kind === "outage" ? "Outage" : "Maintenance"} from <When at={incident.startedAt} />{" "}
            {incident.endedAt ? (
              <>
                to <When at={incident.endedAt} />
              </>
            ) : (
              "(ongoing)"
            )}
            ; {incident.impact.staleServed} stale pages, {incident.impact.ordersAccepted} orders accepted,{" "}
            {incident.impact.ordersDelivered} delivered.
          </p>
          {incident.updates.length > 0 ? <IncidentUpdates updates={incident.updates} /> : null}
          <IncidentForms incident={incident} csrf={csrf} />
        </article>
      ))}
    </section>
  );
}
