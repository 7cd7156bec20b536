import type { Context } from "hono";
import type { Config } from "../config/schema";
import type { AppEnv } from "../config/env";
import type { QueuedOrder } from "../orders/types";
import { Layout } from "./layout";
import { renderPage } from "./render";

type OrderAcceptedProps = { config: Config; reference: string; statusUrl: string };

/** How to ask about one order: the support address with the reference already in the subject. */
export function SupportContact({ config, reference }: { config: Config; reference: string }) {
  if (!config.supportEmail) return <p>To ask about this order, contact the shop and quote its reference.</p>;
  return (
    <p>
      To ask about this order, write to{" "}
      <a href={`mailto:${config.supportEmail}?subject=${encodeURIComponent(`Order ${reference}`)}`}>
        {config.supportEmail}
      </a>{" "}
      and quote its reference.
    </p>
  );
}

/** What a shopper sees after posting an order form while the shop system is down: it is safe, and what comes next. */
export function OrderAcceptedPage({ config, reference, statusUrl }: OrderAcceptedProps) {
  return (
    <Layout config={config} title="We have your order">
      <h1>Thank you, we have your order</h1>
      <p>
        {config.shopName}'s shop system can't be reached right now, so we're keeping your order safe for it. You don't
        need to do anything, and please don't order again.
      </p>
      <p class="notice" role="status">
        Your order reference: <strong class="reference">{reference}</strong>
      </p>
      <section aria-labelledby="next-heading">
        <h2 id="next-heading">What happens next</h2>
        <ol>
          <li>We pass your order on to the shop as soon as it is reachable again, usually within minutes.</li>
          <li>The shop then confirms it the way it always does, for example by email.</li>
          <li>Until then you can see where your order is on its status page.</li>
        </ol>
      </section>
      <p>
        <a href={statusUrl}>See your order's status</a>
      </p>
      <p>Keep this page or its status link: only someone with the link can look up this order.</p>
      <SupportContact config={config} reference={reference} />
    </Layout>
  );
}

/** 202 with the confirmation page; the status link is a capability, so it is never sent on as a Referer. */
export function orderAcceptedPage(c: Context<AppEnv>, queued: QueuedOrder, headers: Record<string, string>): Response {
  return renderPage(
    c,
    <OrderAcceptedPage config={c.get("shop").config} reference={queued.reference} statusUrl={queued.statusUrl} />,
    202,
    {
      ...headers,
      "referrer-policy": "no-referrer",
    },
  );
}
