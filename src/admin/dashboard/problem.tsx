import type { Config } from "../../config/schema";
import type { BypassIssued } from "../control";
import { Layout } from "../../shopper/layout";
import { When } from "../../shopper/when";
import { ADMIN_BASE } from "../../http/wire";

type ProblemProps = { config: Config; title: string; message: string; back?: string };

/** What went wrong with an operator's action, and the way back (the admin dashboard unless `back` says). */
export function ProblemPage({ config, title, message, back = ADMIN_BASE }: ProblemProps) {
  return (
    <Layout config={config} title={title} audience="operators">
      <h1>{title}</h1>
      <p class="notice" role="alert">
        {message}
      </p>
      <p>
        <a href={back}>Back to the dashboard</a>
      </p>
    </Layout>
  );
}

/** The staff bypass just issued: this browser has it; the link gives it to one more, once. */
export function BypassIssuedPage({ config, issued }: { config: Config; issued: BypassIssued }) {
  return (
    <Layout config={config} title="Staff bypass" audience="operators">
      <h1>Staff bypass</h1>
      <p class="notice" role="status">
        This browser now reaches the real shop until <When at={issued.cookieExpiresAt} />, whatever shoppers see.
      </p>
      <p>
        <label for="bypass-link">
          To give another browser the same, open this link there once, before <When at={issued.linkExpiresAt} />:
        </label>
      </p>
      <input id="bypass-link" type="text" readonly value={issued.link} />
      <p>
        <a href={ADMIN_BASE}>Back to the dashboard</a>
      </p>
    </Layout>
  );
}
