/** Browser scripts under static/ are bundled as text (wrangler.toml [[rules]] type "Text"): importing one gives its source. */
declare module "*.browser.js" {
  const source: string;
  export default source;
}
