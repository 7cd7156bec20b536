import type { Context } from "hono";
import { etag, RETAINED_304_HEADERS } from "hono/etag";
import type { AppEnv } from "../env";

/**
 * The stylesheet of the pages stayopen renders itself, bundled with the worker
 * so it needs no asset layer in front of every request. Plain, high-contrast,
 * phone-first; no web fonts.
 */
const STYLESHEET = `
*,
*::before,
*::after {
  box-sizing: border-box;
}
html {
  font-family:
    system-ui,
    -apple-system,
    "Segoe UI",
    Roboto,
    sans-serif;
  line-height: 1.5;
  color: #1a1a1a;
  background: #fff;
}
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  flex-direction: column;
}
a {
  color: #0b57d0;
}
a:focus-visible,
button:focus-visible,
input:focus-visible,
select:focus-visible,
textarea:focus-visible {
  outline: 3px solid #0b57d0;
  outline-offset: 2px;
}
.skip {
  position: absolute;
  left: -999px;
  top: 0;
  background: #fff;
  padding: 0.5rem 1rem;
  z-index: 10;
}
.skip:focus {
  left: 1rem;
}
/* In the header the brand colour is the background: the ring takes the text colour chosen to contrast with it. */
.brand a:focus-visible {
  outline-color: var(--on-brand);
}
.brand {
  background: var(--brand);
  color: var(--on-brand);
  padding: 0.75rem 1rem;
}
.brand-home {
  color: var(--on-brand);
  text-decoration: none;
  font-weight: 700;
  font-size: 1.25rem;
}
.brand-home img {
  display: block;
  max-height: 40px;
  width: auto;
}
main {
  flex: 1;
  width: 100%;
  max-width: 40rem;
  margin: 0 auto;
  padding: 1.5rem 1rem;
}
h1 {
  font-size: 1.75rem;
  line-height: 1.25;
  margin: 0.5rem 0 1rem;
}
h2 {
  font-size: 1.25rem;
  margin: 2rem 0 0.5rem;
}
.notice {
  border-left: 4px solid var(--brand);
  background: #f5f5f5;
  padding: 0.75rem 1rem;
  margin: 1rem 0;
}
.state {
  display: inline-block;
  padding: 0.1rem 0.6rem;
  border-radius: 1rem;
  font-weight: 600;
  border: 2px solid currentColor;
}
.state-up {
  color: #146c2e;
}
.state-degraded {
  color: #8a4b00;
}
.state-down {
  color: #b3261e;
}
form {
  margin: 1rem 0;
  display: grid;
  gap: 0.5rem;
}
label {
  font-weight: 600;
}
input,
select,
textarea {
  font: inherit;
  padding: 0.6rem;
  border: 1px solid #6b6b6b;
  border-radius: 0.375rem;
  width: 100%;
}
button {
  font: inherit;
  font-weight: 600;
  padding: 0.7rem 1.2rem;
  border: 0;
  border-radius: 0.375rem;
  background: var(--brand);
  color: var(--on-brand);
  cursor: pointer;
  justify-self: start;
}
textarea {
  resize: vertical;
}
fieldset {
  border: 1px solid #6b6b6b;
  border-radius: 0.375rem;
  padding: 0.75rem 1rem;
  margin: 0.5rem 0;
}
legend {
  font-weight: 600;
  padding: 0 0.25rem;
}
.choice {
  display: grid;
  grid-template-columns: auto 1fr;
  gap: 0 0.5rem;
  align-items: center;
  margin: 0.25rem 0;
}
.choice input {
  width: auto;
  margin: 0;
}
.choice .hint {
  grid-column: 2;
}
.hint {
  margin: 0;
  color: #4a4a4a;
  font-size: 0.95rem;
}
.field-error {
  margin: 0;
  color: #b3261e;
  font-weight: 600;
}
[aria-invalid="true"] {
  border: 2px solid #b3261e;
}
.error-summary {
  border: 3px solid #b3261e;
  padding: 0.75rem 1rem;
  margin: 1rem 0;
}
.error-summary h2 {
  margin-top: 0;
}
.products {
  padding-left: 1.25rem;
}
.products li {
  margin: 0.35rem 0;
}
dl {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 0.25rem 1rem;
}
dt {
  font-weight: 600;
}
dd {
  margin: 0;
  min-width: 0;
  overflow-wrap: anywhere;
}
/* On a phone a long label would squeeze its value into a sliver: stack them. */
@media (max-width: 30rem) {
  dl {
    grid-template-columns: 1fr;
    gap: 0;
  }
  dd {
    margin-bottom: 0.5rem;
  }
}
footer {
  border-top: 1px solid #ddd;
  padding: 1rem;
  text-align: center;
  font-size: 0.95rem;
}
footer p {
  margin: 0.25rem 0;
}
@media (prefers-color-scheme: dark) {
  html {
    color: #f1f1f1;
    background: #121212;
  }
  a {
    color: #8ab4f8;
  }
  .skip {
    background: #121212;
  }
  a:focus-visible,
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    outline-color: #8ab4f8;
  }
  .brand a:focus-visible {
    outline-color: var(--on-brand);
  }
  .notice {
    background: #1f1f1f;
  }
  footer {
    border-color: #333;
  }
  .hint {
    color: #c7c7c7;
  }
  .field-error {
    color: #ffb4ab;
  }
  .error-summary,
  [aria-invalid="true"] {
    border-color: #ffb4ab;
  }
  .state-up {
    color: #6dd58c;
  }
  .state-degraded {
    color: #ffb95c;
  }
  .state-down {
    color: #ffb4ab;
  }
  input,
  select,
  textarea {
    background: #1f1f1f;
    color: #f1f1f1;
  }
}

/* Order references are long unbroken strings: let them wrap on a phone. */
.reference {
  overflow-wrap: anywhere;
}
`;

/** A 304 for the stylesheet still says where it came from, as every response does. */
export const stylesheetEtag = etag({ retainedHeaders: [...RETAINED_304_HEADERS, "x-stayopen-source"] });

/** `/__stayopen/assets/stayopen.css`: cached for a day, revalidated by ETag (304 when unchanged). */
export function serveStylesheet(c: Context<AppEnv>): Response {
  return c.body(STYLESHEET, 200, {
    "content-type": "text/css; charset=utf-8",
    "cache-control": "public, max-age=86400",
    "x-stayopen-source": "edge",
  });
}
