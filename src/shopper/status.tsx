import type { Config } from "../config/schema";
import type { Incident } from "../incidents/incident";
import { IncidentHistory } from "./incidents";
import { Layout } from "./layout";
import { When } from "./when";

/** The public status document; its shape is part of the contract. */
export type PublicStatus = {
  origin: "up" | "degraded" | "down";
  mode: "auto" | "maintenance";
  since: string;
  message: string | null;
  queuedOrders: number;
  /** The last few incidents (STATUS_INCIDENTS in routes/status.tsx), newest first. */
  incidents: Incident[];
};

const WORDS: Record<PublicStatus["origin"], string> = {
  up: "Everything is working",
  degraded: "Some trouble reaching our shop system",
  down: "Our shop system is unreachable",
};

export function StatusPage({
  config,
  status,
  reopensAt = null,
}: {
  config: Config;
  status: PublicStatus;
  /** The end of forced maintenance, when the operator set one. */
  reopensAt?: number | null;
}) {
  const forced = status.mode === "maintenance";
  return (
    <Layout config={config} title="Shop status">
      <h1>Shop status</h1>
      <p>
        <span class={`state state-${forced ? "down" : status.origin}`}>
          {forced ? "Closed for maintenance" : WORDS[status.origin]}
        </span>
      </p>
      {status.message ? (
        <p class="notice" role="status">
          {status.message}
        </p>
      ) : null}
      <dl>
        <dt>Since</dt>
        <dd>
          <When at={status.since} />
        </dd>
        {reopensAt !== null ? (
          <>
            <dt>Planned to reopen</dt>
            <dd>
              <When at={reopensAt} />
            </dd>
          </>
        ) : null}
        <dt>Orders waiting to reach the shop</dt>
        <dd>{status.queuedOrders}</dd>
      </dl>
      {status.origin === "up" && !forced ? null : (
        <p>
          You can keep browsing and ordering: orders placed now are kept safe and passed on to the shop as soon as it is
          back.
        </p>
      )}
      <IncidentHistory incidents={status.incidents} />
      <p>
        <a href="/">Back to the shop</a>
      </p>
    </Layout>
  );
}
