import type { Child } from "hono/jsx";
import type { Config } from "../config/schema";
import { readableTextOn } from "./brand";
import { STYLESHEET } from "./stylesheet";

/**
 * Who reads the page. Operators' pages (the dashboard) may use a desktop's
 * width, and do not show SUPPORT_EMAIL, which is the shoppers' contact, not
 * the operator's.
 */
type Audience = "shoppers" | "operators";

type LayoutProps = { config: Config; title: string; audience?: Audience; children: Child };

/**
 * The frame of every page stayopen renders itself: branded, readable without
 * images or JavaScript, usable on a phone. BRAND_COLOR is schema-validated hex,
 * so it is safe inside the style element.
 */
export function Layout({ config, title, audience = "shoppers", children }: LayoutProps) {
  const brandStyle = `:root{--brand:${config.brandColor};--on-brand:${readableTextOn(config.brandColor)}}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · ${config.shopName}`}</title>
        <link rel="stylesheet" href={STYLESHEET.url} />
        <style>{brandStyle}</style>
      </head>
      <body class={audience === "operators" ? "operators" : undefined}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="brand">
          <a href="/" class="brand-home">
            {config.logoUrl ? (
              <img src={config.logoUrl} alt={config.shopName} height="40" />
            ) : (
              <span>{config.shopName}</span>
            )}
          </a>
        </header>
        <main id="main">{children}</main>
        <footer>
          {config.supportEmail && audience === "shoppers" ? (
            <p>
              Questions? Write to <a href={`mailto:${config.supportEmail}`}>{config.supportEmail}</a>.
            </p>
          ) : null}
          <p>
            <a href="/__stayopen/status">Shop status</a>
          </p>
        </footer>
      </body>
    </html>
  );
}
