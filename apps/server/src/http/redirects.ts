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
