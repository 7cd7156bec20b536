import { ActionButton } from "./forms";
import { Table } from "./table";
import type { OrderState, OrderView } from "../../orders/types";
import { formatAsOf } from "../../time";
import { orderActionUrl, replayUrl } from "./order-actions";

const LABELS: Record<OrderState, string> = {
  queued: "Waiting",
  delivering: "Being delivered",
  delivered: "Delivered",
  dead: "Refused by the shop",
  needs_attention: "Need attention",
  discarded: "Discarded",
};

export type OrdersSectionProps = {
  queue: Record<OrderState, number>;
  /** Dead letters and orders needing attention: each with its retry and discard buttons. */
  dead: OrderView[];
  /** Orders still waiting for delivery, listed with the same buttons where the page shows them. */
  queued?: OrderView[];
  csrf: string;
  /** Where the dashboard's order actions are mounted (`orderActions`): the admin API, or a deleted shop's page. */
  actions: string;
};

/** Queue depths, the replay switch, and each dead letter (and, where given, each waiting order) with its buttons. */
export function OrdersSection({ queue, dead, queued, csrf, actions }: OrdersSectionProps) {
  return (
    <section aria-labelledby="orders-heading">
      <h2 id="orders-heading">Order queue</h2>
      <dl>
        {(Object.keys(LABELS) as OrderState[]).map((state) => (
          <>
            <dt>{LABELS[state]}</dt>
            <dd>{queue[state]}</dd>
          </>
        ))}
      </dl>
      <ActionButton action={replayUrl(actions)} csrf={csrf} label="Deliver queued orders now" />
      <h3 id="dead-heading">Dead letters</h3>
      {dead.length === 0 ? (
        <p>No order needs attention.</p>
      ) : (
        <OrderTable labelledBy="dead-heading" orders={dead} csrf={csrf} actions={actions} />
      )}
      {queued ? (
        <>
          <h3 id="queued-heading">Waiting orders</h3>
          {queued.length === 0 ? (
            <p>No order is waiting.</p>
          ) : (
            <OrderTable labelledBy="queued-heading" orders={queued} csrf={csrf} actions={actions} />
          )}
        </>
      ) : null}
    </section>
  );
}

type OrderTableProps = { labelledBy: string; orders: OrderView[]; csrf: string; actions: string };

function OrderTable({ labelledBy, orders, csrf, actions }: OrderTableProps) {
  return (
    <Table labelledBy={labelledBy} columns={["Order", "Queued", "Last error", "Actions"]}>
      {orders.map((order) => (
        <tr>
          <td>
            <code>{order.reference}</code>
            <br />
            {order.method} {order.path}
          </td>
          <td>{formatAsOf(Date.parse(order.queuedAt))}</td>
          <td>{order.lastError ?? "—"}</td>
          <td>
            <ActionButton action={orderActionUrl(actions, order.reference, "retry")} csrf={csrf} label="Retry" />
            <ActionButton action={orderActionUrl(actions, order.reference, "discard")} csrf={csrf} label="Discard" />
          </td>
        </tr>
      ))}
    </Table>
  );
}
