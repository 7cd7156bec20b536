import type { Context } from "hono";
import type { Config } from "../../config/schema";
import type { AppEnv } from "../../config/env";
import { Layout } from "../../shopper/layout";
import { renderPage } from "../../shopper/render";
import { ADMIN_BASE } from "../../http/wire";

export function LoginPage({ config, problem }: { config: Config; problem?: string }) {
  return (
    <Layout config={config} title="Operator login" audience="operators">
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

/**
 * The answer to a browser without credentials: 401, as the contract says for a
 * missing token, with the login form as the page, so a person can log in here.
 */
export function loginRequired(c: Context<AppEnv>, headers: Record<string, string>): Response {
  return renderPage(c, <LoginPage config={c.get("shop").config} />, 401, headers);
}
