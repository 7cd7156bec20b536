import type { Config } from "../../config";
import { Layout } from "../../shopper/layout";
import { ADMIN_BASE } from "../session";

export function LoginPage({ config, problem }: { config: Config; problem?: string }) {
  return (
    <Layout config={config} title="Operator login">
      <h1>Operator login</h1>
      {problem ? (
        <p class="notice" role="alert">
          {problem}
        </p>
      ) : null}
      <form method="post" action={`${ADMIN_BASE}/login`}>
        <label for="admin-token">Admin token</label>
        <input id="admin-token" name="token" type="password" autocomplete="current-password" required />
        <button type="submit">Log in</button>
      </form>
      <p>The token is the ADMIN_TOKEN secret of this deployment. You stay logged in for eight hours on this browser.</p>
    </Layout>
  );
}
