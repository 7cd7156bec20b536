/**
 * The host of an absolute URL as the runtime serializes a request's URL
 * (`scheme://host[:port]/path`), without parsing all of it: every request
 * needs its shop, and a full URL parse is a cost on the healthy path.
 */
export function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return (end === -1 ? url.slice(start) : url.slice(start, end)).toLowerCase();
}
