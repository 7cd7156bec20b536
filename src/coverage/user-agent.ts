/** How stayopen's own requests (pre-warm, sitemap reads) introduce themselves to the origin, so its logs can tell them apart. */
export const PREWARM_USER_AGENT = "stayopen-prewarm";
