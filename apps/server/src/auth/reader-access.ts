/**
 * How far a request's reader may read, for the protected-content gate, which asks on every protected file a page
 * loads: "public" (no valid session), "signed-in" (a session, profile incomplete) or "complete-profile".
 *
 * The same rule as get-session everywhere else: the session cookie's HMAC signature checks out (constant time,
 * before any query), its session row exists and has not expired, and the profile is complete when its row says so.
 * One indexed query, read-only (the onboarding plugin's readSessionStandings, beside its completeness rule): the
 * session is not refreshed here, which get-session does on the page's own request.
 *
 * Under load, lookups are batched: a request waits for no timer; it joins the batch that starts as soon as fewer
 * than MAX_IN_FLIGHT queries are running, and every token of a batch is looked up in that one query. A result is
 * never kept after its query returns, so each request's answer comes from a query that started after it arrived:
 * a sign-out is seen by the next request, as with get-session.
 */
import { readSessionStandings, type Queryable, type SessionRow } from "@textbook-auth/onboarding";
import type { AccessLevel } from "@textbook-auth/docusaurus-theme/manifest";
import type { Auth } from "./auth";
import { parseCookieHeader, verifySignedValue } from "../sessions/signed-cookie";

export type ReaderLevel = (cookieHeader: string | undefined) => Promise<AccessLevel>;

/** The session cookie's value, read as Better-Auth reads it (the credential rule left at most one). */
export function cookieValue(header: string | undefined, name: string): string | null {
  return header ? (parseCookieHeader(header).get(name) ?? null) : null;
}

const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 256;

/** A live session's standing: what the gate needs to know. */
export interface Standing {
  profileComplete: boolean;
}

/** Where the gate learns a token's standing: null when no live session has it. */
export type StandingOf = (token: string) => Promise<Standing | null>;

/**
 * The same answer from a session lookup that returns the whole row (sessions/lookup.ts, from memory while change
 * notifications are proven), for a server that keeps one.
 */
export function standingFromLookup(lookup: { byToken(token: string): Promise<SessionRow | null> }): StandingOf {
  return async (token) => {
    const row = await lookup.byToken(token);
    if (!row || row.session.expiresAt.valueOf() <= Date.now()) return null;
    return { profileComplete: row.profile?.onboardingCompleted ?? false };
  };
}

/** Looks tokens up in batches (see the header): resolves each with its session's standing, or null. */
export function standingBatcher(pool: Queryable): StandingOf {
  type Waiter = (standing: Standing | null | Error) => void;
  const waiting = new Map<string, Waiter[]>();
  let running = 0;
  const flush = () => {
    while (running < MAX_IN_FLIGHT && waiting.size > 0) {
      const batch = new Map([...waiting].slice(0, MAX_BATCH));
      for (const token of batch.keys()) waiting.delete(token);
      running++;
      readSessionStandings(pool, [...batch.keys()])
        .then(
          (found) => batch.forEach((waiters, token) => waiters.forEach((w) => w(found.get(token) ?? null))),
          (error: Error) => batch.forEach((waiters) => waiters.forEach((w) => w(error))),
        )
        .finally(() => {
          running--;
          flush();
        });
    }
  };
  return (token: string) =>
    new Promise<Standing | null>((resolve, reject) => {
      const waiters = waiting.get(token) ?? [];
      waiters.push((r) => (r instanceof Error ? reject(r) : resolve(r)));
      waiting.set(token, waiters);
      flush();
    });
}

export function readerLevel(standingOf: StandingOf, secret: string, cookieName: string): ReaderLevel {
  return async (cookieHeader) => {
    const raw = cookieValue(cookieHeader, cookieName);
    const token = raw === null ? null : verifySignedValue(raw, secret);
    if (token === null) return "public";
    const standing = await standingOf(token);
    if (!standing) return "public";
    return standing.profileComplete ? "complete-profile" : "signed-in";
  };
}

/**
 * The check for this Better-Auth instance: its secret and its session cookie's name (prefixed over HTTPS; the
 * credential rule has already left at most one such cookie on the request). Standings come from the batched query
 * unless a lookup is handed in (standingFromLookup).
 */
export function readerLevelFor(auth: Auth, pool: Queryable, standingOf: StandingOf = standingBatcher(pool)): ReaderLevel {
  const ready = (auth.$context as Promise<{ secret: string; authCookies: { sessionToken: { name: string } } }>).then((ctx) =>
    readerLevel(standingOf, ctx.secret, ctx.authCookies.sessionToken.name),
  );
  return async (cookieHeader) => (await ready)(cookieHeader);
}
