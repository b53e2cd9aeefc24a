/**
 * The contract both languages read, typed: contract.json is its one home (error codes with status and message, the
 * change-notification channel, trigger names and payload keys, the session cookie's name, the session columns the
 * Python package reads, the JWT claims). The Python package ships a copy of the same file as package data
 * (better_auth_fastapi/contract.py reads it); tests on both sides compare what each reads with the file.
 */
import contract from "./contract.json" with { type: "json" };

export const CONTRACT = contract;

type Errors = typeof contract.errors;
export type ErrorCode = keyof Errors;
/** Every code's HTTP status (null: the framework's own, HTTP_ERROR) and default message. */
export const ERRORS: { readonly [K in ErrorCode]: { readonly status: Errors[K]["status"]; readonly message: string } } = contract.errors;

/** A table in the shape of Better-Auth's `defineErrorCodes` (`{ CODE: { code, message } }`), for a plugin's `$ERROR_CODES`. */
export function errorCodes<const K extends ErrorCode>(codes: readonly K[]): { readonly [C in K]: { readonly code: C; readonly message: string } } {
  return Object.fromEntries(codes.map((code) => [code, { code, message: ERRORS[code].message }])) as {
    [C in K]: { code: C; message: string };
  };
}

/** Better-Auth's cookie prefix (its `advanced.cookiePrefix`), which names the session cookie. */
export const COOKIE_PREFIX = contract.cookies.prefix;
/** The session cookie over http; over https Better-Auth adds `__Secure-` (see `sessionCookieName`). */
export const SESSION_COOKIE = `${contract.cookies.prefix}.${contract.cookies.sessionToken}`;
export const SECURE_SESSION_COOKIE = `${contract.cookies.securePrefix}${SESSION_COOKIE}`;

/** The name Better-Auth gives the session cookie for a base URL: the `__Secure-` form exactly when it is https. */
export function sessionCookieName(baseUrl: string): string {
  return new URL(baseUrl).protocol === "https:" ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

const changes = contract.sessionChanges;
export const SESSION_CHANGES_CHANNEL = changes.channel;
export const SESSION_CHANGES_FUNCTION = changes.function;
/** The two triggers on each table: one per row change, one per TRUNCATE. */
export const SESSION_CHANGE_TRIGGERS = [changes.triggers.row, changes.triggers.truncate] as const;
/** The tables whose changes a session cache must hear of, as SQL names; `user_profile` is this plugin's own. */
export const SESSION_CHANGE_TABLES: readonly string[] = changes.tables;
/** The keys of a notification's JSON payload: `{token}`, `{user}`, `{all: true}`, and a listener's own `{probe}`. */
export const SESSION_CHANGE_PAYLOAD = changes.payload;

/** What the JWT plugin's tokens carry beside `sub`, `iss`, `aud`, `exp` (see `jwtPayload` in jwt.ts). */
export const JWT_CLAIMS = contract.jwt.claims;
