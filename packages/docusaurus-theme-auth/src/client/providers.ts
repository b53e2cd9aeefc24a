/**
 * Sign-in providers other than email and password, learnt at run time from the auth server's public
 * `GET <authBaseUrl>/providers` (`{ providers: [{ id, name }] }`), so one build of the site shows the buttons of
 * whatever keys each deployment sets. And the errors a provider sign-in comes back with.
 *
 * Better-Auth sends a failed provider sign-in to the `errorCallbackURL` with `?error=<snake_case>` (the provider's
 * own OAuth code, such as `access_denied`, or Better-Auth's, such as `account_not_linked`). Pages show a sentence
 * chosen by that code, upper-cased like every other code here; the `error_description` that comes with it is the
 * provider's free text, taken from the address bar, and is never shown.
 */
import type { DisplayError } from "./errors.js";

export interface SignInProvider {
  id: string;
  name: string;
}

/** Keeps only well-formed entries: the list comes over the network. */
export function parseProviders(data: unknown): SignInProvider[] {
  const raw = (data as { providers?: unknown } | null)?.providers;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (p): p is SignInProvider =>
      typeof p === "object" && p !== null && typeof p.id === "string" && /^[\w-]{1,64}$/.test(p.id) && typeof p.name === "string" && p.name.length > 0,
  );
}

const PROVIDER_MESSAGES: Record<string, string> = {
  ACCESS_DENIED: "Signing in with that account was cancelled or refused. Try again, or use your email and password.",
  ACCOUNT_NOT_LINKED:
    "An account with this email already exists. Sign in with your email and password; the other sign-in joins it only once both sides have verified the address.",
  EMAIL_NOT_FOUND: "That account did not share an email address, which we need. Use another way to sign in.",
  EMAIL_NOT_VERIFIED: "That account's email address is not verified yet. Verify it there, then try again.",
  SIGNUP_DISABLED: "New accounts cannot be created that way. Use another way to sign in.",
  STATE_MISMATCH: "That sign-in expired or was started in another tab. Try again.",
  STATE_NOT_FOUND: "That sign-in expired or was started in another tab. Try again.",
  PLEASE_RESTART_THE_PROCESS: "That sign-in expired or was started in another tab. Try again.",
};
const PROVIDER_FALLBACK = "Signing in with that account did not work. Try again, or use another way to sign in.";

/** `?error=access_denied` → `{ code: "ACCESS_DENIED", message }`; null without an error. */
export function providerErrorFromSearch(search: string): DisplayError | null {
  const raw = new URLSearchParams(search).get("error");
  if (!raw) return null;
  const code = /^[a-z0-9_]{1,64}$/i.test(raw) ? raw.toUpperCase() : "OAUTH_ERROR";
  return { code, message: PROVIDER_MESSAGES[code] ?? PROVIDER_FALLBACK };
}
