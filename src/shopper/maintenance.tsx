import type { Config } from "../config/schema";
import type { UnavailableNotice } from "../control/notice";
import { Layout } from "./layout";

/** A page the shopper can still open offline, for the maintenance page's list. */
export type OfflineLink = { path: string; title: string };
import { When } from "./when";
import { CHECKOUT_PATH } from "../http/wire";
import { CHECKOUT_TITLE } from "../catalog/banner";

export type MaintenanceProps = {
  config: Config;
  pages: OfflineLink[];
  notice: UnavailableNotice;
  /** The edge checkout has a product list to offer. */
  canOrder: boolean;
};

/** "a minute", "5 minutes", "an hour", "3 hours" */
function waitWords(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return minutes === 1 ? "a minute" : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? "an hour" : `${hours} hours`;
}

export function MaintenancePage({ config, pages, notice, canOrder }: MaintenanceProps) {
  const title = notice.longOutage ? "We're still working on it" : "We'll be right back";
  return (
    <Layout config={config} title={title}>
      <h1>{title}</h1>
      {notice.longOutage ? (
        <p>
          {config.shopName} has been unavailable for longer than we hoped, and we're still working on it. Thank you for
          your patience.
        </p>
      ) : notice.planned ? (
        <p>{config.shopName} is closed for maintenance right now. Nothing is wrong with your device or connection.</p>
      ) : (
        <p>
          {config.shopName} can't reach its shop system right now. Nothing is wrong with your device or connection, and
          we're working on it.
        </p>
      )}
      {notice.message ? (
        <p class="notice" role="status">
          {notice.message}
        </p>
      ) : null}
      <p>
        {notice.until !== null ? (
          <>
            We plan to reopen by <When at={notice.until} />.{" "}
          </>
        ) : null}
        {notice.planned && notice.until === null && !notice.longOutage
          ? // Nobody said when maintenance ends: no made-up time (Retry-After still tells programs when to ask).
            "Please check back later."
          : `Please ${notice.longOutage ? "check back" : "try again"} in about ${waitWords(notice.retryAfterS)}.`}
      </p>
      {pages.length > 0 ? (
        <section aria-labelledby="offline-heading">
          <h2 id="offline-heading">You can still browse</h2>
          <ul>
            {pages.map((page) => (
              <li>
                <a href={page.path}>{page.title}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {canOrder ? (
        <section aria-labelledby="order-heading">
          <h2 id="order-heading">{CHECKOUT_TITLE}</h2>
          <p>
            You can still place an order: we keep it safe, pass it to the shop as soon as it is back, and the shop
            confirms it.
          </p>
          <p>
            <a href={CHECKOUT_PATH}>See what you can order</a>
          </p>
        </section>
      ) : null}
      <section aria-labelledby="notify-heading">
        <h2 id="notify-heading">Tell me when you're back</h2>
        <form method="post" action="/__stayopen/notify">
          <label for="notify-email">Email address</label>
          <input id="notify-email" name="email" type="email" autocomplete="email" required />
          <button type="submit">Notify me</button>
        </form>
        <p>We'll only use your address to tell you once the shop is back.</p>
      </section>
    </Layout>
  );
}
