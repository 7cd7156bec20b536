import { ActionButton } from "./forms";
import { Table } from "./table";
import type { OrderState, OrderView } from "../../orders/types";
import { formatAsOf } from "../../time";
import { ADMIN_BASE } from "../../http/wire";

const ORDER_ACTION_BASE = `${ADMIN_BASE}/dashboard/orders`;
export const REPLAY_ACTION = `${ADMIN_BASE}/dashboard/replay`;

const LABELS: Record<OrderState, string> = {
  queued: "Waiting",
  delivering: "Being delivered",
  delivered: "Delivered",
  dead: "Refused by the shop",
  needs_attention: "Need attention",
  discarded: "Discarded",
};

/** Queue depths, the replay switch, and each dead letter with its retry and discard buttons. */
export function OrdersSection({
  queue,
  dead,
  csrf,
}: {
  queue: Record<OrderState, number>;
  dead: OrderView[];
  csrf: string;
}) {
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
      <ActionButton action={REPLAY_ACTION} csrf={csrf} label="Deliver queued orders now" />
      <h3 id="dead-heading">Dead letters</h3>
      {dead.length === 0 ? (
        <p>No order needs attention.</p>
      ) : (
        <Table labelledBy="dead-heading" columns={["Order", "Queued", "Last error", "Actions"]}>
          {dead.map((order) => (
            <tr>
              <td>
                <code>{order.reference}</code>
                <br />
                {order.method} {order.path}
              </td>
              <td>{formatAsOf(Date.parse(order.queuedAt))}</td>
              <td>{order.lastError ?? "—"}</td>
              <td>
                <ActionButton action={`${ORDER_ACTION_BASE}/${order.reference}/retry`} csrf={csrf} label="Retry" />
                <ActionButton action={`${ORDER_ACTION_BASE}/${order.reference}/discard`} csrf={csrf} label="Discard" />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
