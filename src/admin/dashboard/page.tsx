import type { Config } from "../../config/schema";
import { Layout } from "../../shopper/layout";
import { CoverageSection } from "./coverage";
import type { DashboardData } from "./data";
import { ActionButton } from "./forms";
import { IncidentsSection } from "./incidents";
import { MaintenanceSection } from "./maintenance";
import { OrdersSection } from "./orders";
import { OriginSection } from "./origin";
import { ADMIN_BASE } from "../../http/wire";

type DashboardProps = { config: Config; data: DashboardData; csrf: string; notice: string | null };

export function DashboardPage({ config, data, csrf, notice }: DashboardProps) {
  return (
    <Layout config={config} title="Operator dashboard" audience="operators">
      <h1>Operator dashboard</h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <nav aria-label="Dashboard sections">
        <ul>
          <li>
            <a href="#origin-heading">Origin and breaker events</a>
          </li>
          <li>
            <a href="#maintenance-heading">Maintenance and incident message</a>
          </li>
          <li>
            <a href="#incidents-heading">Incident history</a>
          </li>
          <li>
            <a href="#orders-heading">Order queue and dead letters</a>
          </li>
          <li>
            <a href="#coverage-heading">Readiness and snapshot coverage</a>
          </li>
          <li>
            <a href={`${ADMIN_BASE}/metrics`}>Metrics (Prometheus text)</a>
          </li>
          <li>
            <a href={`${ADMIN_BASE}/subscribers.csv`}>Notify-me sign-ups (CSV)</a>
          </li>
        </ul>
      </nav>
      <OriginSection status={data.status} />
      <MaintenanceSection status={data.status} csrf={csrf} />
      <IncidentsSection incidents={data.incidents} csrf={csrf} />
      <OrdersSection queue={data.queue} dead={data.dead} csrf={csrf} actions={`${ADMIN_BASE}/dashboard`} />
      <CoverageSection readiness={data.readiness} snapshots={data.snapshots} />
      <ActionButton action={`${ADMIN_BASE}/logout`} csrf={csrf} label="Log out" />
    </Layout>
  );
}
