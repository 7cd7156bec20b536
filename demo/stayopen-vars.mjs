// The demo shop's stayopen settings (branding, pages, feed, its session cookie): the shipped wrangler.toml
// holds none of them. `npm start`, the e2e, chaos and bench runs and the vitest bindings all read them here.
import { readFileSync } from "node:fs";

/** @type {Record<string, string>} */
export const demoVars = JSON.parse(readFileSync(new URL("./stayopen-vars.json", import.meta.url), "utf8"));
