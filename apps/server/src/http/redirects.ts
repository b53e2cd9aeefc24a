/**
 * Every redirect the auth server sends must land on a trusted origin, whatever Better-Auth decided.
 *
 * Better-Auth 1.7.25 checks a root-relative callbackURL before it normalises it, and some endpoints normalise it
 * afterwards: GET /api/auth/verify-email?token=x&callbackURL=/.//evil.example passes the check ("/.//evil.example"
 * is a path on this origin) and answers `Location: //evil.example?error=INVALID_TOKEN`, which a browser follows to
 * evil.example. Checking the Location that actually leaves closes that hole and any other spelling of it.
 */

/** True when a browser that requested a page on `publicUrl` and got `location` would land on a trusted origin. */
export function redirectStaysTrusted(location: string, publicUrl: string, trustedOrigins: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(location, publicUrl);
  } catch {
    return false;
  }
  return (target.protocol === "http:" || target.protocol === "https:") && trustedOrigins.includes(target.origin);
}

/**
 * The request fields Better-Auth turns into a redirect (its origin check reads the same ones), in the body or the
 * query string.
 */
const REDIRECT_FIELDS = ["callbackURL", "errorCallbackURL", "newUserCallbackURL", "redirectTo"] as const;

/** Longer than any page of the site needs, and short enough for a Location header in a proxy's 4 KiB header buffer. */
export const MAX_REDIRECT_LENGTH = 2048;

/**
 * True when a redirect field holds what cannot be a URL as sent on the wire: anything outside printable ASCII (a
 * browser percent-encodes spaces, controls and non-ASCII characters) or an oversized value. Better-Auth 1.7.25
 * puts sign-in's callbackURL into `Location` as given, after the password was checked and the session stored: a
 * character above U+00FF then throws there (a bare 500, a session row nobody received), and Latin-1 or a space
 * goes out as a raw byte. Refusing these before Better-Auth runs answers one stable 400 instead.
 */
export function hasMalformedRedirect(query: URLSearchParams | undefined, body: unknown): boolean {
  const values: unknown[] = [];
  for (const field of REDIRECT_FIELDS) {
    if (query) values.push(...query.getAll(field));
    if (body !== null && typeof body === "object") values.push((body as Record<string, unknown>)[field]);
  }
  return values.some((v) => typeof v === "string" && (v.length > MAX_REDIRECT_LENGTH || /[^\x21-\x7e]/.test(v)));
}

/**
 * Better-Auth answers these with 200, the provider's authorization URL in the JSON body (which its client follows),
 * and the same URL in a `Location` header that no browser follows on a 200. That URL leaves the trusted origins by
 * design and is built from the configured provider, never from the request; the header is dropped so the one rule
 * above (no `Location` from /api/auth/* names an untrusted origin) holds without exceptions.
 */
const PROVIDER_AUTHORIZATION_PATHS = new Set(["/api/auth/sign-in/social", "/api/auth/link-social"]);

export function dropsProviderLocation(method: string, path: string, status: number): boolean {
  return method === "POST" && status >= 200 && status < 300 && PROVIDER_AUTHORIZATION_PATHS.has(path);
}
