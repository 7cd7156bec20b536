/**
 * How long a snapshot may stand in for the live page, from the origin's own
 * Cache-Control (RFC 9111 and the RFC 5861 extensions), with the shop's
 * configured defaults where the origin says nothing. Pure, so it is unit-tested
 * on its own.
 */

export type CacheDirectives = {
  maxAge?: number;
  sMaxAge?: number;
  staleWhileRevalidate?: number;
  staleIfError?: number;
  noCache: boolean;
  mustRevalidate: boolean;
};

export function parseCacheControl(header: string | null): CacheDirectives {
  const directives: CacheDirectives = { noCache: false, mustRevalidate: false };
  for (const part of (header ?? "").split(",")) {
    const [rawName, rawValue] = part.split("=", 2) as [string, string | undefined];
    const name = rawName.trim().toLowerCase();
    const seconds = rawValue === undefined ? undefined : /^\s*"?(\d+)"?\s*$/.exec(rawValue)?.[1];
    const value = seconds === undefined ? undefined : Number(seconds);
    switch (name) {
      case "max-age":
        if (value !== undefined) directives.maxAge = value;
        break;
      case "s-maxage":
        if (value !== undefined) directives.sMaxAge = value;
        break;
      case "stale-while-revalidate":
        if (value !== undefined) directives.staleWhileRevalidate = value;
        break;
      case "stale-if-error":
        if (value !== undefined) directives.staleIfError = value;
        break;
      case "no-cache":
        directives.noCache = true;
        break;
      case "must-revalidate":
      case "proxy-revalidate":
        directives.mustRevalidate = true;
        break;
    }
  }
  return directives;
}

export type FreshnessDefaults = { staleWhileRevalidateS: number; staleIfErrorS: number };

/** Windows in milliseconds, all measured from the moment the snapshot was stored. */
export type FreshnessPolicy = {
  /** Within this age the snapshot is as good as the live page. */
  freshMs: number;
  /** Up to this age it may be served while a background refresh runs; equal to freshMs when SWR is off. */
  revalidateUntilMs: number;
  /** Up to this age it may stand in for a failing origin. */
  errorUntilMs: number;
};

/**
 * The shared-cache lifetime is s-maxage, else max-age. Serving ahead of the
 * origin while it is healthy needs a stale-while-revalidate window (the
 * origin's, else the configured default); no-cache and must-revalidate rule it
 * out. Serving during an outage is stayopen's purpose, so it is bounded by
 * stale-if-error (the origin's, else the default) and nothing else.
 */
export function freshnessPolicy(directives: CacheDirectives, defaults: FreshnessDefaults): FreshnessPolicy {
  const lifetimeS = directives.noCache ? 0 : (directives.sMaxAge ?? directives.maxAge ?? 0);
  const revalidateS =
    directives.noCache || directives.mustRevalidate
      ? 0
      : (directives.staleWhileRevalidate ?? defaults.staleWhileRevalidateS);
  const freshMs = revalidateS > 0 ? lifetimeS * 1000 : 0;
  return {
    freshMs,
    revalidateUntilMs: revalidateS > 0 ? freshMs + revalidateS * 1000 : 0,
    errorUntilMs: (lifetimeS + (directives.staleIfError ?? defaults.staleIfErrorS)) * 1000,
  };
}

/** What a healthy request may do with a snapshot of this age. */
export type HealthyUse = "fresh" | "revalidate" | "live";

export function healthyUse(ageMs: number, policy: FreshnessPolicy): HealthyUse {
  if (ageMs < policy.freshMs) return "fresh";
  if (ageMs < policy.revalidateUntilMs) return "revalidate";
  return "live";
}

export function servableOnError(ageMs: number, policy: FreshnessPolicy): boolean {
  return ageMs < policy.errorUntilMs;
}

/** Whether a stored copy (snapshot or static export) may stand in for a failing origin now: within its stale-if-error window. */
export function standsInOnError(
  copy: { storedAt: number; cacheControl?: string },
  config: { swrDefaultS: number; staleIfErrorDefaultS: number },
  now: number,
): boolean {
  return servableOnError(now - copy.storedAt, snapshotPolicy(copy, config));
}

/** The policy for a stored snapshot: its origin's Cache-Control at the time, else the shop's defaults. */
export function snapshotPolicy(
  meta: { cacheControl?: string },
  config: { swrDefaultS: number; staleIfErrorDefaultS: number },
): FreshnessPolicy {
  return freshnessPolicy(parseCacheControl(meta.cacheControl ?? null), {
    staleWhileRevalidateS: config.swrDefaultS,
    staleIfErrorS: config.staleIfErrorDefaultS,
  });
}
