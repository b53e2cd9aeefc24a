/**
 * What this plugin takes from Better-Auth's internals rather than its documented API: when get-session may be
 * answered without Better-Auth's own handler (`plainSessionOptions`, `needsBetterAuth`), and what that answer is
 * (`sessionPayload`). They restate Better-Auth's get-session rules (refresh, expiry, output fields), so they hold for
 * the versions they were checked against: BETTER_AUTH_RANGE, which is also the package's peer range. On any other
 * version `supportsInternals()` is false and every get-session goes through Better-Auth's own handler: slower, never
 * wrong. The auth server's differential test compares both answers, for every option that switches the fast path off.
 */
import type { BetterAuthOptions } from "better-auth";
import { parseSessionOutput, parseUserOutput } from "better-auth/db";
import type { SessionRow } from "./store.js";

/** The Better-Auth versions these rules were checked against (npm's tilde range: 1.7.25 up to, not including, 1.8). */
export const BETTER_AUTH_RANGE = "~1.7.25";

const [RANGE_MINOR, RANGE_FLOOR] = [BETTER_AUTH_RANGE.slice(1, BETTER_AUTH_RANGE.lastIndexOf(".")), Number(BETTER_AUTH_RANGE.split(".")[2])];

/** True when `version` (the running Better-Auth's: its context's `version`) is inside BETTER_AUTH_RANGE. */
export function supportsInternals(version: string): boolean {
  const match = /^(\d+\.\d+)\.(\d+)$/.exec(version);
  return match !== null && match[1] === RANGE_MINOR && Number(match[2]) >= RANGE_FLOOR;
}

/**
 * The session as page scripts receive it: without `token`, the raw session token. Nothing in the browser needs it
 * (the HttpOnly cookie carries the credential), and handing it to every script would undo what HttpOnly is for.
 */
export function withoutToken<S extends { token?: unknown }>(session: S): Omit<S, "token"> {
  const { token: _token, ...rest } = session;
  return rest;
}

/**
 * True when no option makes Better-Auth's get-session do more than read the session, its user and (here) the profile:
 * no cookie cache, secondary storage, deferred refresh, or extra user or session fields. Only then may get-session
 * be answered from one query (or from memory, as the auth server does), with Better-Auth kept for everything else.
 */
export function plainSessionOptions(options: BetterAuthOptions): boolean {
  return (
    !options.session?.cookieCache?.enabled &&
    !options.secondaryStorage &&
    !options.session?.deferSessionRefresh &&
    !options.session?.additionalFields &&
    !options.user?.additionalFields &&
    !(options.plugins ?? []).some((p) => p.schema?.user || p.schema?.session)
  );
}

/**
 * Whether Better-Auth itself must answer for this session: it has expired (the cookie is then deleted), or it is due
 * for refresh (its expiry is pushed back and the cookie set again). `sessionConfig` is Better-Auth's context's.
 */
export function needsBetterAuth(
  row: SessionRow,
  sessionConfig: { expiresIn: number; updateAge: number },
  options: BetterAuthOptions,
  now = Date.now(),
): boolean {
  const expiresAt = row.session.expiresAt.valueOf();
  const dueForRefresh = expiresAt - sessionConfig.expiresIn * 1000 + sessionConfig.updateAge * 1000 <= now;
  return expiresAt <= now || (dueForRefresh && !options.session?.disableSessionRefresh);
}

/** get-session's payload for a live session: Better-Auth's session and user output, the profile and its flag. */
export function sessionPayload(options: BetterAuthOptions, row: SessionRow) {
  const session = parseSessionOutput(options, row.session);
  const user = parseUserOutput(options, row.user);
  return { session: withoutToken(session), user: { ...user, profileComplete: row.profile?.onboardingCompleted ?? false }, profile: row.profile };
}

