/**
 * The `?redirect=` contract: after signing in or finishing onboarding a reader goes back to where they were, but
 * only to a path on this origin. Anything that a browser could read as another host or a script (`//host`,
 * `/\host`, `https://host`, `javascript:`, their percent-encoded or control-character-padded forms) falls back to
 * the home page, so the sign-in page can never be used as an open redirect.
 */

const PROBE_ORIGIN = "http://same-origin.invalid";

function looksForeign(value: string): boolean {
  // Browsers strip tabs and newlines inside URLs and treat "\" like "/", so "/\t/evil" and "/\evil" are "//evil".
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return true;
  if (!value.startsWith("/")) return true;
  if (value.startsWith("//")) return true;
  return false;
}

/**
 * Returns a safe path (pathname + search + hash) on this origin, or `fallback` (the site's baseUrl).
 * `baseUrl`, when given, must also prefix the target: a path outside the site is not one of its pages.
 */
export function sanitizeRedirect(raw: unknown, fallback = "/", baseUrl = "/"): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2048) return fallback;
  if (looksForeign(raw)) return fallback;
  // Check the decoded forms too: a later decode (by a proxy, a router, or a second redirect hop) must not turn
  // "/%2F%2Fevil" or "/%5Cevil" into a host. Bounded: three layers of encoding are already absurd.
  let layer = raw;
  for (let i = 0; i < 3; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return fallback;
    }
    if (decoded === layer) break;
    if (looksForeign(decoded)) return fallback;
    layer = decoded;
  }
  let url: URL;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  const path = url.pathname + url.search + url.hash;
  if (path.startsWith("//")) return fallback;
  const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
  if (base !== "/" && path !== base.slice(0, -1) && !path.startsWith(base)) return fallback;
  return path;
}

/** "/sign-in" + "/docs/a?x=1" → "/sign-in?redirect=%2Fdocs%2Fa%3Fx%3D1". */
export function withRedirect(path: string, redirect: string | null | undefined): string {
  if (!redirect) return path;
  const sep = path.includes("?") ? "&" : "?";
  return `${path}${sep}redirect=${encodeURIComponent(redirect)}`;
}

/** Reads `?redirect=` from a location search string and sanitises it. */
export function redirectFromSearch(search: string, fallback: string, baseUrl = "/"): string {
  return sanitizeRedirect(new URLSearchParams(search).get("redirect"), fallback, baseUrl);
}

/**
 * A path of this site as the auth server must be given it for a redirect the auth server makes itself (a provider
 * sign-in's `callbackURL`, `errorCallbackURL`, `newUserCallbackURL`): Better-Auth resolves a relative one against its
 * own base URL. On the page's origin the path stays relative; with `authBaseUrl` on another origin (the site on a
 * sibling subdomain) it becomes absolute on the page's origin, which the auth server must trust (TRUSTED_ORIGINS),
 * or the reader would end up on the auth server's host.
 */
export function forAuthServer(path: string, authBaseUrl: string, pageOrigin: string): string {
  return new URL(authBaseUrl, pageOrigin).origin === pageOrigin ? path : new URL(path, pageOrigin).href;
}
