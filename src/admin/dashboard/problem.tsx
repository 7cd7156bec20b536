import type { Config } from "../../config";
import { Layout } from "../../shopper/layout";
import { ADMIN_BASE } from "../session";

/** What went wrong with an operator's action, and the way back. */
export function ProblemPage({ config, title, message }: { config: Config; title: string; message: string }) {
  return (
    <Layout config={config} title={title}>
      <h1>{title}</h1>
      <p class="notice" role="alert">
        {message}
      </p>
      <p>
        <a href={ADMIN_BASE}>Back to the dashboard</a>
      </p>
    </Layout>
  );
}
