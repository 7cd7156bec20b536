import type { Config } from "../config/schema";
import { Layout } from "./layout";

export function NotifyThanksPage({ config }: { config: Config }) {
  return (
    <Layout config={config} title="We'll let you know">
      <h1>Thank you, we'll let you know</h1>
      <p>
        We'll pass your address to {config.shopName} so it can send you one email when it is fully back. It won't be
        used for anything else.
      </p>
      <p>
        <a href="/">Back to the shop</a> · <a href="/__stayopen/status">Shop status</a>
      </p>
    </Layout>
  );
}

/** The form again, with the problem linked to the field it is about. */
export function NotifyFormPage({ config, email, error }: { config: Config; email: string; error: string }) {
  return (
    <Layout config={config} title="Error: Tell me when you're back">
      <h1>Tell me when you're back</h1>
      <form method="post" action="/__stayopen/notify" novalidate>
        <label for="notify-email">Email address</label>
        <p id="notify-email-error" class="field-error">
          {error}
        </p>
        <input
          id="notify-email"
          name="email"
          type="email"
          autocomplete="email"
          required
          value={email}
          aria-invalid="true"
          aria-describedby="notify-email-error"
        />
        <button type="submit">Notify me</button>
      </form>
      <p>We'll only use your address to tell you once the shop is back.</p>
    </Layout>
  );
}
