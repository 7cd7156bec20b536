import type { Config } from "../config/schema";
import type { PaymentRecord } from "../payments/ledger";
import { Layout } from "./layout";
import { OrderPayment } from "./order-payment";
import { SupportContact } from "./order-accepted";
import { GroupedReference } from "./reference";
import { When } from "./when";

/** The three things a shopper is told about an order (the contract's order status words). */
export type ShopperOrderStatus = "queued" | "delivered" | "needs_attention";

export type OrderStatusView = {
  reference: string;
  status: ShopperOrderStatus;
  queuedAt: string;
  deliveredAt: string | null;
};

/** Lines and total read from the order's body; `total` is ready to show (formatted, or as the shop wrote it). */
export type OrderContents = {
  items: { name: string | null; sku: string | null; qty: number | null }[];
  total: string | null;
};

function WhatYouOrdered({ contents }: { contents: OrderContents | null }) {
  const items = contents?.items ?? [];
  return (
    <section aria-labelledby="items-heading">
      <h2 id="items-heading">What you ordered</h2>
      {items.length > 0 ? (
        <ul class="order-items">
          {items.map((item) => (
            <li>
              {item.qty !== null ? `${item.qty} × ` : null}
              {item.name ?? item.sku}
              {item.name !== null && item.sku !== null ? ` (item no. ${item.sku})` : null}
            </li>
          ))}
        </ul>
      ) : (
        <p>
          Your order was received exactly as you sent it, but its items can't be shown here. The shop's confirmation
          lists them.
        </p>
      )}
      {contents?.total ? <p>Total: {contents.total}</p> : null}
    </section>
  );
}

/** The page's extra knowledge beyond the three words: the shop's team took the order off the queue. */
export type OrderStatusDetail = { discarded: boolean };

const HEADLINES: Record<ShopperOrderStatus, string> = {
  queued: "Your order is waiting to reach the shop",
  delivered: "Your order has reached the shop",
  needs_attention: "Your order needs a closer look",
};
const DISCARDED_HEADLINE = "Your order was not passed on to the shop";

/** Labels in the contract's words, so the page and its JSON twin say the same thing. */
const BADGES: Record<ShopperOrderStatus, { label: string; tone: "up" | "degraded" | "down" }> = {
  queued: { label: "Queued", tone: "degraded" },
  delivered: { label: "Delivered to the shop", tone: "up" },
  needs_attention: { label: "Needs attention", tone: "down" },
};

function WhatHappensNext({ status, discarded }: { status: ShopperOrderStatus; discarded: boolean }) {
  switch (status) {
    case "queued":
      return (
        <p>
          We're keeping your order safe and pass it on to the shop automatically: right away while the shop system is
          reachable, otherwise as soon as it is back. You don't need to do anything, and please don't order again. The
          shop confirms your order once it has it.
        </p>
      );
    case "delivered":
      return <p>The shop has your order. Any confirmation, invoice or delivery update comes from the shop directly.</p>;
    case "needs_attention":
      return discarded ? (
        <p>
          The shop's team took this order off the queue, so the shop will not process it. If you still want these items,
          please order again, or contact us with your order reference to ask why.
        </p>
      ) : (
        <p>
          We couldn't pass your order on to the shop automatically: the shop's system kept turning it down. Your order
          is not confirmed yet. It is kept for the shop's team, who have been told and will contact you about it. If you
          haven't heard from them or want to ask, contact us with your order reference below.
        </p>
      );
  }
}

/** An order's status page: only the order the reference names, nothing about anyone else's. */
export function OrderStatusPage({
  config,
  order,
  statusUrl,
  payment = null,
  detail = { discarded: false },
  contents = null,
}: {
  config: Config;
  order: OrderStatusView;
  statusUrl: string;
  /** Orders from the edge checkout have a payment record (src/payments); others have none. */
  payment?: PaymentRecord | null;
  detail?: OrderStatusDetail;
  /** What was ordered, as far as the order's body says it; null when it was not read when queued. */
  contents?: OrderContents | null;
}) {
  const badge = BADGES[order.status];
  const discarded = order.status === "needs_attention" && detail.discarded;
  return (
    <Layout config={config} title="Your order">
      <h1>{discarded ? DISCARDED_HEADLINE : HEADLINES[order.status]}</h1>
      <p>
        Status:{" "}
        <span class={`state state-${badge.tone}`} data-status={order.status}>
          {badge.label}
        </span>
      </p>
      <dl>
        <dt>Reference</dt>
        <dd>
          <GroupedReference reference={order.reference} />
        </dd>
        <dt>Placed</dt>
        <dd>
          <When at={order.queuedAt} />
        </dd>
        {order.deliveredAt ? (
          <>
            <dt>Reached the shop</dt>
            <dd>
              <When at={order.deliveredAt} />
            </dd>
          </>
        ) : null}
      </dl>
      <WhatYouOrdered contents={contents} />
      <section aria-labelledby="next-heading">
        <h2 id="next-heading">What happens next</h2>
        <WhatHappensNext status={order.status} discarded={discarded} />
      </section>
      {payment ? <OrderPayment payment={payment} stopped={order.status === "needs_attention"} /> : null}
      <SupportContact config={config} reference={order.reference} />
      <p>
        {order.status === "queued" ? (
          <>
            <a href={statusUrl}>Check again</a> ·{" "}
          </>
        ) : null}
        <a href="/">Back to the shop</a>
      </p>
    </Layout>
  );
}

export function OrderNotFoundPage({ config }: { config: Config }) {
  return (
    <Layout config={config} title="Order not found">
      <h1>We can't find that order</h1>
      <p>
        Please check that you opened the full link you were given after ordering; the reference is long and has to match
        exactly.
      </p>
      {config.supportEmail ? (
        <p>
          Still stuck? Write to <a href={`mailto:${config.supportEmail}`}>{config.supportEmail}</a>.
        </p>
      ) : null}
      <p>
        <a href="/">Back to the shop</a>
      </p>
    </Layout>
  );
}
