import type { Config } from "../config/schema";
import type { FeedProduct } from "../feed/schema";
import type { PaymentProvider } from "../payments/provider";
import { Layout } from "../shopper/layout";
import type { CheckoutFields, FieldErrors, FormValues } from "./form";
import { MAX_QTY } from "./form";
import { formatMoney } from "./money";
import { When } from "../shopper/when";
import { CHECKOUT_PATH } from "../http/wire";
import { CHECKOUT_TITLE } from "../catalog/banner";

/** What the shopper is told about the shop's own system while ordering here. */
export type ShopState = "up" | "down" | "maintenance";

/** The feed's stock as of its time, less what was ordered here since: both parts are said. */
function Availability({ available, asOf }: { available: number | null; asOf: number }) {
  if (available === null)
    return (
      <p>
        Available (as of <When at={asOf} />)
      </p>
    );
  return (
    <p>
      {available === 0 ? "Sold out for now" : `${available} available`} (stock as of <When at={asOf} />, less orders
      placed here since)
    </p>
  );
}

/** What ordering here means; honest about the shop's own system right now. */
function Intro({ shopState }: { shopState: ShopState }) {
  switch (shopState) {
    case "up":
      return (
        <p>
          Our shop system is up right now, so you can also order on <a href="/">the shop's own pages</a>. Orders placed
          here are passed on to the shop right away; the shop confirms price and availability by email.
        </p>
      );
    case "down":
      return (
        <p>
          Our shop system is unreachable right now, but you can still order. We keep your order safe and pass it to the
          shop as soon as it is back; the shop then confirms price and availability by email.
        </p>
      );
    case "maintenance":
      return (
        <p>
          The shop is closed for maintenance right now, but you can still order. We keep your order safe and pass it to
          the shop when it reopens; the shop then confirms price and availability by email.
        </p>
      );
  }
}

const fieldId = (field: CheckoutFields) => `checkout-${field}`;
const errorId = (field: CheckoutFields) => `checkout-${field}-error`;

/** Props that tie an input to its error message, so screen readers read both. */
function described(field: CheckoutFields, errors: FieldErrors, hint?: string) {
  const ids = [hint, errors[field] ? errorId(field) : undefined].filter(Boolean).join(" ");
  return {
    id: fieldId(field),
    name: field,
    ...(errors[field] ? { "aria-invalid": "true" } : {}),
    ...(ids ? { "aria-describedby": ids } : {}),
  };
}

function FieldError({ field, errors }: { field: CheckoutFields; errors: FieldErrors }) {
  const message = errors[field];
  return message ? (
    <p id={errorId(field)} class="field-error">
      {message}
    </p>
  ) : null;
}

/** The problems at the top, each linking to its field (the GOV.UK error summary pattern). */
function ErrorSummary({ errors, notice }: { errors: FieldErrors; notice?: string }) {
  const listed = (Object.entries(errors) as [CheckoutFields, string][]).filter(
    ([field]) => field !== "token" && field !== "sku",
  );
  const general = [notice, errors.token, errors.sku].filter((message): message is string => Boolean(message));
  if (listed.length === 0 && general.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1}>
      <h2 id="error-summary-title">There is a problem</h2>
      {general.map((message) => (
        <p>{message}</p>
      ))}
      {listed.length > 0 ? (
        <ul>
          {listed.map(([field, message]) => (
            <li>
              <a href={`#${fieldId(field)}`}>{message}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export type CheckoutPageProps = {
  config: Config;
  product: FeedProduct;
  feedStoredAt: number;
  available: number | null;
  shopState: ShopState;
  providers: PaymentProvider[];
  token: string;
  values: FormValues;
  errors: FieldErrors;
  notice?: string;
};

export function CheckoutPage({
  config,
  product,
  feedStoredAt,
  available,
  shopState,
  providers,
  token,
  values,
  errors,
  notice,
}: CheckoutPageProps) {
  const qty = Number(values.qty);
  const subtotal = Number.isInteger(qty) && qty > 0 && qty <= MAX_QTY ? product.price * qty : null;
  const chosen = values.payment ?? providers[0]?.method;
  const soldOut = available === 0;
  // The title is read first on a page load: it says at once that the form came back with problems.
  const failed = Boolean(notice) || Object.keys(errors).length > 0;
  return (
    <Layout config={config} title={failed ? `Error: ${CHECKOUT_TITLE}` : CHECKOUT_TITLE}>
      <h1>{CHECKOUT_TITLE}</h1>
      <Intro shopState={shopState} />
      <ErrorSummary errors={errors} notice={notice} />
      <section aria-labelledby="item-heading">
        <h2 id="item-heading">Your item</h2>
        <p class="item-name">{product.url ? <a href={product.url}>{product.name}</a> : product.name}</p>
        <p>
          {formatMoney(product.price, product.currency)} each, price as of <When at={feedStoredAt} />
        </p>
        <Availability available={available} asOf={feedStoredAt} />
      </section>
      {soldOut ? (
        <p>
          <a href={CHECKOUT_PATH}>Choose another product</a>
        </p>
      ) : (
        <form method="post" action={CHECKOUT_PATH} novalidate>
          <input type="hidden" name="sku" value={product.sku} />
          <input type="hidden" name="token" value={token} />

          <label for={fieldId("qty")}>Quantity</label>
          <FieldError field="qty" errors={errors} />
          <input
            {...described("qty", errors)}
            type="number"
            inputmode="numeric"
            min="1"
            max={String(Math.min(MAX_QTY, available ?? MAX_QTY))}
            value={values.qty ?? "1"}
            required
          />
          {subtotal !== null ? <p>Subtotal: {formatMoney(subtotal, product.currency)}</p> : null}

          <h2>Your details</h2>
          <label for={fieldId("name")}>Full name</label>
          <FieldError field="name" errors={errors} />
          <input {...described("name", errors)} type="text" autocomplete="name" value={values.name ?? ""} required />

          <label for={fieldId("email")}>Email address</label>
          <p id="checkout-email-hint" class="hint">
            The shop sends the confirmation
            {providers.some((p) => p.method === "later") ? " and, if you pay later, the payment link" : ""} here.
          </p>
          <FieldError field="email" errors={errors} />
          <input
            {...described("email", errors, "checkout-email-hint")}
            type="email"
            autocomplete="email"
            value={values.email ?? ""}
            required
          />

          <label for={fieldId("address")}>Shipping address</label>
          <FieldError field="address" errors={errors} />
          <textarea {...described("address", errors)} autocomplete="street-address" rows={4} required>
            {values.address ?? ""}
          </textarea>

          <fieldset id={fieldId("payment")} {...(errors.payment ? { "aria-describedby": errorId("payment") } : {})}>
            <legend>Payment</legend>
            <FieldError field="payment" errors={errors} />
            {providers.map((provider) => (
              <div class="choice">
                <input
                  type="radio"
                  id={`checkout-payment-${provider.method}`}
                  name="payment"
                  value={provider.method}
                  checked={chosen === provider.method}
                  aria-describedby={`checkout-payment-${provider.method}-hint`}
                />
                <label for={`checkout-payment-${provider.method}`}>{provider.label}</label>
                <p id={`checkout-payment-${provider.method}-hint`} class="hint">
                  {provider.hint}
                </p>
              </div>
            ))}
          </fieldset>

          <button type="submit">Place order</button>
        </form>
      )}
    </Layout>
  );
}

const LIST_LIMIT = 200;

export function ProductListPage({
  config,
  products,
  feedStoredAt,
  shopState,
}: {
  config: Config;
  products: FeedProduct[];
  feedStoredAt: number;
  shopState: ShopState;
}) {
  return (
    <Layout config={config} title={CHECKOUT_TITLE}>
      <h1>{CHECKOUT_TITLE}</h1>
      <Intro shopState={shopState} />
      <p>
        Prices as of <When at={feedStoredAt} />.
      </p>
      <ul class="products">
        {products.slice(0, LIST_LIMIT).map((product) => (
          <li>
            <a href={`${CHECKOUT_PATH}?sku=${encodeURIComponent(product.sku)}`}>{product.name}</a>{" "}
            <span>{formatMoney(product.price, product.currency)}</span>
            {product.stock === 0 ? <span> (sold out)</span> : null}
          </li>
        ))}
      </ul>
      {products.length > LIST_LIMIT ? (
        <p>Showing the first {LIST_LIMIT} products. Open a product page to order any other.</p>
      ) : null}
    </Layout>
  );
}

/** A checkout that cannot go on: what happened and where to go from here. */
export function CheckoutProblemPage({
  config,
  title,
  message,
  offerList,
}: {
  config: Config;
  title: string;
  message: string;
  offerList: boolean;
}) {
  return (
    <Layout config={config} title={title}>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        {offerList ? (
          <>
            <a href={CHECKOUT_PATH}>See what you can order</a> ·{" "}
          </>
        ) : null}
        <a href="/">Back to the shop</a>
      </p>
    </Layout>
  );
}
