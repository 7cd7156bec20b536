import type { Config } from "../config/schema";
import type { FeedProduct } from "../feed/schema";
import type { PaymentProvider } from "../payments/provider";
import { Layout } from "../shopper/layout";
import type { CheckoutFields, FieldErrors, FormValues } from "./form";
import { MAX_QTY, REVIEW_STEP } from "./form";
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

/**
 * The feed's picture of a product (a shop path or an absolute URL, as the feed says), its name as the
 * alt text; the width and height keep the page from jumping while it loads, the stylesheet scales it down.
 */
function ProductImage({ product, size, lazy }: { product: FeedProduct; size: number; lazy?: boolean }) {
  if (!product.image) return null;
  return (
    <img
      class="product-image"
      src={product.image}
      alt={product.name}
      width={String(size)}
      height={String(size)}
      decoding="async"
      {...(lazy ? { loading: "lazy" } : {})}
    />
  );
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
  /** The review step: the order summed up for the quantity chosen; `changed` when it differs from the last review. */
  review?: { changed: boolean };
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
  review,
}: CheckoutPageProps) {
  const qty = Number(values.qty);
  const subtotal = Number.isInteger(qty) && qty > 0 && qty <= MAX_QTY ? product.price * qty : null;
  const chosen = values.payment ?? providers[0]?.method;
  const soldOut = available === 0;
  // The title is read first on a page load: it says at once that the form came back with problems,
  // or, on the review, the total the shopper is about to order for.
  const failed = Boolean(notice) || Object.keys(errors).length > 0;
  const reviewed = review && subtotal !== null && !failed ? { ...review, subtotal } : undefined;
  const title = failed
    ? `Error: ${CHECKOUT_TITLE}`
    : reviewed
      ? `Check your order: ${formatMoney(reviewed.subtotal, product.currency)}`
      : CHECKOUT_TITLE;
  return (
    <Layout config={config} title={title}>
      <h1>{reviewed ? "Check your order" : CHECKOUT_TITLE}</h1>
      {reviewed ? null : <Intro shopState={shopState} />}
      <ErrorSummary errors={errors} notice={notice} />
      <section aria-labelledby="item-heading" class="item">
        <ProductImage product={product} size={160} />
        <div>
          <h2 id="item-heading">{reviewed ? "Your order" : "Your item"}</h2>
          {reviewed?.changed ? (
            <p class="notice">The total changed since you last checked it. Check it, then place the order.</p>
          ) : null}
          <p class="item-name">
            {reviewed ? `${qty} × ` : null}
            {product.url ? <a href={product.url}>{product.name}</a> : product.name}
          </p>
          <p>
            {formatMoney(product.price, product.currency)} each, price as of <When at={feedStoredAt} />
          </p>
          {reviewed ? <p class="total">Subtotal: {formatMoney(reviewed.subtotal, product.currency)}</p> : null}
          <Availability available={available} asOf={feedStoredAt} />
        </div>
      </section>
      {soldOut ? (
        <p>
          <a href={CHECKOUT_PATH}>Choose another product</a>
        </p>
      ) : (
        <form method="post" action={CHECKOUT_PATH} novalidate>
          <input type="hidden" name="sku" value={product.sku} />
          <input type="hidden" name="token" value={token} />
          {reviewed ? <input type="hidden" name="reviewed" value={String(reviewed.subtotal)} /> : null}

          <label for={fieldId("qty")}>Quantity</label>
          <FieldError field="qty" errors={errors} />
          <input
            {...described("qty", errors, reviewed ? undefined : "checkout-qty-hint")}
            type="number"
            inputmode="numeric"
            min="1"
            max={String(Math.min(MAX_QTY, available ?? MAX_QTY))}
            value={values.qty ?? "1"}
            required
          />
          {subtotal !== null && !reviewed ? <p>Subtotal: {formatMoney(subtotal, product.currency)}</p> : null}
          {reviewed ? null : (
            <p id="checkout-qty-hint" class="hint">
              You see the total for this quantity before you place the order.
            </p>
          )}

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

          {reviewed ? (
            // Place order comes first: it is the form's default button (Enter), and the review guards it.
            <div class="actions">
              <button type="submit">Place order</button>
              <button type="submit" name="step" value={REVIEW_STEP} class="secondary">
                Update total
              </button>
            </div>
          ) : (
            <button type="submit" name="step" value={REVIEW_STEP}>
              Review order
            </button>
          )}
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
            <ProductImage product={product} size={64} lazy />
            <span>
              <a href={`${CHECKOUT_PATH}?sku=${encodeURIComponent(product.sku)}`}>{product.name}</a>{" "}
              <span>{formatMoney(product.price, product.currency)}</span>
              {product.stock === 0 ? <span> (sold out)</span> : null}
            </span>
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
