import type { Context } from "hono";
import type { Config } from "../../config/schema";
import type { AppEnv } from "../../config/env";
import { Layout } from "../../shopper/layout";
import { renderPage } from "../../shopper/render";

/** Which door the form opens: the admin dashboard's (ADMIN_TOKEN) or the platform dashboard's (PLATFORM_TOKEN). */
type LoginDoor = { base: string; tokenName: "ADMIN_TOKEN" | "PLATFORM_TOKEN" };

const LABELS = { ADMIN_TOKEN: "Admin token", PLATFORM_TOKEN: "Platform token" } as const;

export function LoginPage({ config, door, problem }: { config: Config; door: LoginDoor; problem?: string }) {
  const id = door.tokenName === "ADMIN_TOKEN" ? "admin-token" : "platform-token";
  return (
    <Layout config={config} title="Operator login" audience="operators">
      <h1>Operator login</h1>
      {problem ? (
        <p class="notice" role="alert">
          {problem}
        </p>
      ) : null}
      <form method="post" action={`${door.base}/login`}>
        <label for={id}>{LABELS[door.tokenName]}</label>
        <input id={id} name="token" type="password" autocomplete="current-password" required />
        <button type="submit">Log in</button>
      </form>
      <p>
        The token is the {door.tokenName} secret of this {door.tokenName === "ADMIN_TOKEN" ? "shop" : "deployment"}. You
        stay logged in for eight hours on this browser.
      </p>
    </Layout>
  );
}

/**
 * The login form as a page: 200 when asked for, 401 (as the contract says for
 * a missing token) to a browser without credentials, so a person can log in here.
 */
export function loginPage(
  c: Context<AppEnv>,
  door: LoginDoor,
  status: 200 | 400 | 401 | 413 | 415 = 200,
  headers: Record<string, string> = {},
  problem?: string,
): Response {
  return renderPage(c, <LoginPage config={c.get("shop").config} door={door} problem={problem} />, status, headers);
}
