import type { OperatorStatus } from "./data";
import { ActionButton, CsrfField } from "./forms";
import { formatAsOf } from "../../time";
import { ADMIN_BASE } from "../../http/wire";

export const MAINTENANCE_ACTION = `${ADMIN_BASE}/dashboard/maintenance`;

/** Forced maintenance and the incident message shoppers see. */
export function MaintenanceSection({ status, csrf }: { status: OperatorStatus; csrf: string }) {
  const maintenance = status.maintenance;
  const active = status.mode === "maintenance";
  return (
    <section aria-labelledby="maintenance-heading">
      <h2 id="maintenance-heading">Maintenance and incident message</h2>
      <p>
        {active
          ? `Maintenance is on${maintenance?.until ? ` until ${formatAsOf(Date.parse(maintenance.until))}` : ""}: shoppers see the maintenance flow.`
          : maintenance && !maintenance.active && maintenance.from
            ? `Maintenance is scheduled from ${formatAsOf(Date.parse(maintenance.from))}.`
            : "Automatic: stayopen steps in only when the origin fails."}
      </p>
      <form method="post" action={MAINTENANCE_ACTION}>
        <CsrfField token={csrf} />
        <input type="hidden" name="on" value="true" />
        <label for="maintenance-message">Message for shoppers</label>
        <textarea id="maintenance-message" name="message" rows={3} maxlength={500} required>
          {maintenance?.message ?? ""}
        </textarea>
        <label for="maintenance-until">Ends at, UTC (optional)</label>
        <input id="maintenance-until" name="until" type="datetime-local" />
        <button type="submit">{active ? "Update maintenance" : "Turn maintenance on"}</button>
      </form>
      {maintenance ? (
        <ActionButton action={MAINTENANCE_ACTION} csrf={csrf} fields={{ on: "false" }} label="Turn maintenance off" />
      ) : null}
      <h3>Staff bypass</h3>
      <p>
        See the real shop from this browser while shoppers get the maintenance flow, and get a one-time link for
        another.
      </p>
      <ActionButton action={`${ADMIN_BASE}/dashboard/bypass`} csrf={csrf} label="Bypass from this browser" />
    </section>
  );
}
