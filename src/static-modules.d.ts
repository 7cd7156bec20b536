/** Files under static/ (browser scripts, stylesheets) are bundled as text (wrangler.toml [[rules]] type "Text"): importing one gives its source. */
declare module "*.browser.js" {
  const source: string;
  export default source;
}

declare module "*.css" {
  const source: string;
  export default source;
}
