import { decodeEntities } from "../http/html-entities";

/**
 * The same-origin files a page needs to look right offline: stylesheets,
 * scripts, icons, preloads and images (src and srcset) from its HTML, and the
 * fonts and images a stylesheet points at. Pre-warm and the static export
 * follow them so a stale page comes with its CSS and pictures.
 */

/** Assets followed per page (and per stylesheet); a picture counts once, with all its widths (see Reference). */
export const MAX_ASSETS_PER_PAGE = 30;

export type Subresource = { url: string; stylesheet: boolean };

/**
 * A reference as found in the page. `picture`: the references of one picture
 * (an img's src and srcset widths, a source's, an image preload's) share a
 * number and count as one asset, since which width a browser loads depends on
 * its screen and the stale page must have that one. When a page names more
 * than the limit, its stylesheets, scripts and icons are kept before pictures.
 */
export type Reference = { ref: string; stylesheet: boolean; picture?: number };

const LINK_RELS = new Set(["stylesheet", "preload", "modulepreload", "icon", "apple-touch-icon", "mask-icon"]);

/**
 * The URLs of a srcset attribute, following the HTML parsing rules: a
 * candidate is a run of non-space characters (commas inside it belong to the
 * URL, as in `w_100,h_50.jpg`), then descriptors up to the next comma.
 */
export function parseSrcset(value: string): string[] {
  const urls: string[] = [];
  const space = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);
  let i = 0;
  while (i < value.length) {
    while (i < value.length && (space(value[i]) || value[i] === ",")) i++;
    const start = i;
    while (i < value.length && !space(value[i])) i++;
    let url = value.slice(start, i);
    if (url.endsWith(",")) {
      url = url.replace(/,+$/, "");
    } else {
      let depth = 0;
      for (; i < value.length; i++) {
        const ch = value[i];
        if (ch === "(") depth++;
        else if (ch === ")") depth = Math.max(0, depth - 1);
        else if (ch === "," && depth === 0) {
          i++;
          break;
        }
      }
    }
    if (url) urls.push(url);
  }
  return urls;
}

const CSS_COMMENT = /\/\*[\s\S]*?\*\//g;
const CSS_REF = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi;

/** The references of a stylesheet: url(…) values and @import strings. */
export function cssUrls(css: string): string[] {
  const refs: string[] = [];
  for (const match of css.replace(CSS_COMMENT, "").matchAll(CSS_REF)) {
    const ref = match
      .slice(1)
      .find((group) => group !== undefined)
      ?.trim();
    if (ref) refs.push(ref);
  }
  return refs;
}

/**
 * References resolved against `base`, kept when they are http(s) on the same
 * origin as `page` (fragment dropped, the page itself and duplicates left
 * out), in document order: at most `limit` assets (a picture with all its
 * widths is one), the page's other files before its pictures.
 */
export function sameOriginAssets(refs: readonly Reference[], base: string, page: string, limit: number): Subresource[] {
  const origin = new URL(page).origin;
  const seen = new Set([new URL(page).href.replace(/#.*$/, "")]);
  type Found = Subresource & { at: number };
  // One group per asset: a picture's widths together, every other file alone.
  const groups = new Map<string, { picture: boolean; at: number; files: Found[] }>();
  for (const [at, { ref, stylesheet, picture }] of refs.entries()) {
    let url: URL;
    try {
      url = new URL(ref, base);
    } catch {
      continue;
    }
    url.hash = "";
    if (!/^https?:$/.test(url.protocol) || url.origin !== origin || seen.has(url.href)) continue;
    seen.add(url.href);
    const id = picture === undefined ? `file ${at}` : `picture ${picture}`;
    const group = groups.get(id) ?? { picture: picture !== undefined, at, files: [] };
    groups.set(id, group);
    group.files.push({ url: url.href, stylesheet, at });
  }
  return [...groups.values()]
    .sort((a, b) => Number(a.picture) - Number(b.picture) || a.at - b.at)
    .slice(0, limit)
    .flatMap((group) => group.files)
    .sort((a, b) => a.at - b.at)
    .map(({ url, stylesheet }) => ({ url, stylesheet }));
}

/** A page's subresources, collected with HTMLRewriter (a `<base href>` is honoured). */
export async function htmlSubresources(
  html: BufferSource,
  pageUrl: string,
  limit = MAX_ASSETS_PER_PAGE,
): Promise<Subresource[]> {
  const refs: Reference[] = [];
  let pictures = 0;
  // Plenty of room for references that turn out to be cross-origin, while a huge page cannot grow the list without
  // end; counted apart for pictures, so a long list of picture widths cannot push out the script at the page's end.
  const room = { file: limit * 10, picture: limit * 10 };
  const push = (reference: Reference) => {
    const kind = reference.picture === undefined ? "file" : "picture";
    if (room[kind] <= 0) return;
    room[kind]--;
    refs.push(reference);
  };
  // Attribute values come raw: `&amp;` in a URL is `&` to a browser, and fetching it literally gets a 400.
  const add = (ref: string | null, stylesheet = false, picture?: number) => {
    if (ref) push({ ref: decodeEntities(ref).trim(), stylesheet, picture });
  };
  const addSrcset = (srcset: string | null, picture: number) => {
    for (const url of parseSrcset(decodeEntities(srcset ?? ""))) push({ ref: url, stylesheet: false, picture });
  };
  let base = pageUrl;
  let sawBase = false;
  await new HTMLRewriter()
    .on("base[href]", {
      element(element) {
        if (sawBase) return;
        sawBase = true;
        try {
          base = new URL(decodeEntities(element.getAttribute("href")!), pageUrl).href;
        } catch {
          // An unusable base changes nothing.
        }
      },
    })
    .on("link[href]", {
      element(element) {
        const rels = (element.getAttribute("rel") ?? "").toLowerCase().split(/\s+/);
        if (!rels.some((rel) => LINK_RELS.has(rel))) return;
        const image = rels.includes("preload") && element.getAttribute("as")?.toLowerCase() === "image";
        const picture = image ? pictures++ : undefined;
        add(element.getAttribute("href"), rels.includes("stylesheet"), picture);
        addSrcset(element.getAttribute("imagesrcset"), picture ?? pictures++);
      },
    })
    .on("script[src]", { element: (element) => add(element.getAttribute("src")) })
    .on("img, source", {
      element(element) {
        const picture = pictures++;
        add(element.getAttribute("src"), false, picture);
        addSrcset(element.getAttribute("srcset"), picture);
      },
    })
    .transform(new Response(html))
    .arrayBuffer();
  return sameOriginAssets(refs, base, pageUrl, limit);
}

/** The fonts, images and imported stylesheets a stylesheet needs. */
function cssSubresources(css: string, stylesheetUrl: string, limit = MAX_ASSETS_PER_PAGE): Subresource[] {
  const refs = cssUrls(css).map((ref) => ({ ref, stylesheet: /\.css(?:$|\?)/i.test(ref) }));
  return sameOriginAssets(refs, stylesheetUrl, stylesheetUrl, limit);
}

/** What a stored or fetched file points at, by its content type: HTML and CSS have subresources, the rest none. */
export async function subresourcesOf(
  body: BufferSource,
  contentType: string | null,
  url: string,
  limit = MAX_ASSETS_PER_PAGE,
): Promise<Subresource[]> {
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("text/html")) return htmlSubresources(body, url, limit);
  if (type.includes("text/css")) return cssSubresources(new TextDecoder().decode(body), url, limit);
  return [];
}
