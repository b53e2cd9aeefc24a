/**
 * One credential rule for both servers. Better-Auth and the Python backend used to read a request's credentials
 * differently (the first or the last of a repeated cookie, one Cookie line or all of them, either cookie prefix,
 * a bearer header that does or does not displace the cookie), so a planted cookie could make the auth server and
 * the backend see two different readers. Every request is rewritten here, before Hono, Better-Auth or the /api
 * proxy reads it, to what the rule allows. The Python package applies the same rule to what it receives
 * (packages/fastapi-better-auth: tokens.request_credential), so it agrees whether reached through the proxy or not.
 *
 * The rule:
 * - The session cookie is the one name Better-Auth uses for this deployment's PUBLIC_URL:
 *   `__Secure-better-auth.session_token` over https, `better-auth.session_token` otherwise. The other is nothing.
 * - Every Cookie line counts, joined with "; " (as Node and HTTP/2 join them). Pairs are split at ";", name and
 *   value trimmed of whitespace; a value starting with a double quote loses its first and last character.
 * - The session cookie named more than once is no session. A browser sends duplicates when cookies of one name
 *   differ in Path or Domain, ordered by path length and age, which a sibling subdomain or a network attacker
 *   over http can plant and influence; neither server can tell which one this origin set. Refusing both costs a
 *   reader a sign-out (which such an attacker can already cause); picking one lets the planted one win.
 * - One Authorization line whose scheme is Bearer (any case): it is the credential and the session cookie is
 *   ignored, whether the bearer is valid or not. More than one Authorization line: no credential at all.
 * - A signed value (cookie or bearer) counts only with its signature spelt as Better-Auth writes it (canonical
 *   base64); Better-Auth's own check would also take other spellings of it, the backend does not. Bearer values that
 *   are not session tokens (the backend's JWTs) pass unchanged.
 */

import type { IncomingMessage } from "node:http";

/** HTTP whitespace as JavaScript's trim() sees it within the Latin-1 range Node decodes header bytes into. */
const TRIM = /^[\t\n\v\f\r \u00a0]+|[\t\n\v\f\r \u00a0]+$/g;
const trim = (s: string) => s.replace(TRIM, "");

/**
 * A `token.signature` whose 44-character signature is another spelling of a signature (padding bits set, the URL-safe
 * alphabet): Better-Auth decodes before comparing and would accept it, the backend compares the text and does not.
 * Anything else is left for both servers to judge alike (a JWT, for the backend's JWT mode; garbage).
 */
function respeltSignature(value: string): boolean {
  let decoded = value;
  if (value.includes("%")) {
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return false; // Better-Auth then reads the raw text, whose "%" no signature contains
    }
  }
  const dot = decoded.lastIndexOf(".");
  if (dot < 1) return false;
  const signature = decoded.slice(dot + 1);
  return signature.length === 44 && Buffer.from(signature, "base64").toString("base64") !== signature;
}

/** The bearer credential of one Authorization value, as Better-Auth's bearer plugin reads it, or null. */
function bearerOf(value: string): string | null {
  if (value.slice(0, 7).toLowerCase() !== "bearer ") return null;
  return trim(value.slice(7)) || null;
}

export interface CredentialHeaders {
  /** The one Cookie line to send on, or null for none. */
  cookie: string | null;
  /** The one Authorization line to send on, or null for none. */
  authorization: string | null;
}

/** Applies the rule to a request's Cookie and Authorization lines, as received. */
export function credentialHeaders(cookieLines: readonly string[], authorizationLines: readonly string[], sessionCookie: string): CredentialHeaders {
  let authorization: string | null = null;
  let bearerPresent = authorizationLines.length > 1;
  if (authorizationLines.length === 1) {
    const line = authorizationLines[0]!;
    const bearer = bearerOf(line);
    bearerPresent = bearer !== null;
    if (bearer === null) authorization = line;
    else if (!respeltSignature(bearer)) authorization = `Bearer ${bearer}`;
  }
  const kept: string[] = [];
  const session: string[] = [];
  for (const pair of cookieLines.join("; ").split(";")) {
    const eq = pair.indexOf("=");
    if (eq !== -1 && trim(pair.slice(0, eq)) === sessionCookie) session.push(trim(pair.slice(eq + 1)));
    else if (trim(pair)) kept.push(trim(pair));
  }
  if (session.length === 1 && !bearerPresent) {
    const raw = session[0]!;
    const value = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    if (!respeltSignature(value)) kept.push(`${sessionCookie}=${value}`);
  }
  return { cookie: kept.length ? kept.join("; ") : null, authorization };
}

/**
 * Rewrites a Node request's credential headers in place, in both views Node keeps (`rawHeaders`, which Hono and
 * a raw-header proxy read, and `headers`, which Node may already have built), before anything else reads them.
 */
export function applyCredentialRule(incoming: IncomingMessage, sessionCookie: string): void {
  const raw = incoming.rawHeaders;
  const cookies: string[] = [];
  const authorizations: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === "cookie") cookies.push(raw[i + 1]!);
    else if (name === "authorization") authorizations.push(raw[i + 1]!);
  }
  if (cookies.length === 0 && authorizations.length === 0) return;
  const { cookie, authorization } = credentialHeaders(cookies, authorizations, sessionCookie);
  const rewritten: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name !== "cookie" && name !== "authorization") rewritten.push(raw[i]!, raw[i + 1]!);
  }
  if (cookie !== null) rewritten.push("Cookie", cookie);
  if (authorization !== null) rewritten.push("Authorization", authorization);
  raw.splice(0, raw.length, ...rewritten);
  const headers = incoming.headers;
  if (cookie === null) delete headers.cookie;
  else headers.cookie = cookie;
  if (authorization === null) delete headers.authorization;
  else headers.authorization = authorization;
}

/**
 * The bearer plugin copies the signed session token into a `set-auth-token` header on every answer that sets the
 * session cookie (sign-in, sign-up, a refreshing get-session), where any script on the page can read it: the
 * HttpOnly cookie would then keep nothing from script. Browsers mark every request with `Sec-Fetch-Site` (a header
 * scripts cannot set or remove); those answers lose the header. Clients without it (scripts, apps) keep it, as
 * they need it for `Authorization: Bearer`.
 */
export function keepTokenFromPageScripts(request: Request, response: Response): void {
  if (request.headers.has("sec-fetch-site")) response.headers.delete("set-auth-token");
}
