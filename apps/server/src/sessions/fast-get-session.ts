/**
 * `GET /api/auth/get-session` answered before Hono and Better-Auth, for the common cases only: no query, plain
 * Better-Auth options on a Better-Auth the rules were checked on (../auth/better-auth-internals.ts), no bearer
 * credential and none of Better-Auth's other session cookies; then either no session cookie at all (a visitor: null),
 * or a signed one whose session is live and not due for refresh. The session comes from the memory cache or one query
 * (lookup.ts); the payload is the onboarding plugin's own (`sessionPayload`). Everything else (no session, a bad
 * signature, expiry, refresh, an outage) returns false and Better-Auth answers, so it stays the authority on cookies
 * and refresh. Every page view asks this: through
 * Better-Auth's router it cost about 0.6 ms of CPU, a large part of which was building the request and the router.
 * Differential tests (fast-get-session.test.ts, ../auth/better-auth-internals.test.ts) hold the two answers equal.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getCookies } from "better-auth/cookies";
import type { BetterAuthOptions } from "better-auth";
import { fastGetSessionRules } from "../auth/better-auth-internals";
import type { SessionLookup } from "./lookup";
import { parseCookieHeader, verifySignedValue } from "./signed-cookie";

export const GET_SESSION_PATH = "/api/auth/get-session";

export interface FastGetSessionDeps {
  auth: { options: BetterAuthOptions; $context: Promise<unknown> };
  secret: string;
  lookup: SessionLookup;
  /** Headers every answer of the origin carries (security headers); `answer` may be given others per request (CORS). */
  responseHeaders: Readonly<Record<string, string>>;
}

/** Returns an answerer, or null when Better-Auth's options (or its version) rule the fast path out altogether. */
export async function createFastGetSession({ auth, secret, lookup, responseHeaders }: FastGetSessionDeps) {
  const { options } = auth;
  const rules = await fastGetSessionRules(auth);
  if (!rules) return null;
  const cookies = getCookies(options);
  const names = { session: cookies.sessionToken.name, data: cookies.sessionData.name, dontRemember: cookies.dontRememberToken.name };
  const own = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };
  // The caller hands one of a few fixed header sets (one per trusted origin, one for the rest): each is merged once.
  const merged = new WeakMap<object, Record<string, string>>();
  const headersWith = (base: Readonly<Record<string, string>>) => {
    let headers = merged.get(base);
    if (!headers) merged.set(base, (headers = { ...base, ...own }));
    return headers;
  };

  /** Answers and returns true, or returns false having written nothing. */
  return async function answer(
    incoming: IncomingMessage,
    outgoing: ServerResponse,
    baseHeaders: Readonly<Record<string, string>> = responseHeaders,
  ): Promise<boolean> {
    const headers = headersWith(baseHeaders);
    if (incoming.headers.authorization !== undefined) return false;
    const jar = parseCookieHeader(incoming.headers.cookie ?? "");
    if (jar.has(names.data) || jar.has(names.dontRemember)) return false;
    const value = jar.get(names.session);
    // A visitor: no session cookie, nothing to read or clean up.
    if (value === undefined) {
      outgoing.writeHead(200, headers).end("null");
      return true;
    }
    const token = value && verifySignedValue(value, secret);
    if (!token) return false;
    let row;
    try {
      row = await lookup.byToken(token);
    } catch {
      return false; // Better-Auth's path tells an outage apart and answers with a code
    }
    if (!row || rules.needsBetterAuth(row)) return false;
    outgoing.writeHead(200, headers).end(JSON.stringify(rules.payload(row)));
    return true;
  };
}

/**
 * A write to /api/auth/* with a session cookie (sign-out, update-user, revoke-session, ...) forgets that session in
 * this process's memory before and after it runs: its own next get-session then reads the database instead of
 * waiting the milliseconds the change notification takes. Other processes learn of it by that notification.
 */
export function forgetOnWrite(incoming: IncomingMessage, outgoing: ServerResponse, lookup: SessionLookup, sessionCookie: string, secret: string) {
  const value = incoming.headers.cookie ? parseCookieHeader(incoming.headers.cookie).get(sessionCookie) : undefined;
  const token = value ? verifySignedValue(value, secret) : null;
  if (!token) return;
  lookup.forgetToken(token);
  outgoing.once("finish", () => lookup.forgetToken(token));
}
