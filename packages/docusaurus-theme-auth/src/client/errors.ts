/**
 * Readers see a sentence, code compares codes: Better-Auth and our servers answer errors as `{ code, message }`,
 * and the pages pick their words by code so a server's wording can change without breaking a page. These are the
 * reader's words, not the servers' messages (those live in the onboarding package's contract.json); each key is a
 * contract code, a Better-Auth code or one of the pages' own (PASSWORDS_DIFFER, SAME_EMAIL), which errors.test.ts
 * checks so that a renamed code cannot leave a sentence behind.
 */
export const READER_MESSAGES: Readonly<Record<string, string>> = {
  INVALID_EMAIL_OR_PASSWORD: "That email and password do not match an account.",
  INVALID_EMAIL: "Enter a valid email address.",
  INVALID_PASSWORD: "That password is not valid.",
  PASSWORD_TOO_SHORT: "Choose a longer password (at least 8 characters).",
  PASSWORD_TOO_LONG: "Choose a shorter password.",
  USER_ALREADY_EXISTS: "An account with this email already exists. Sign in instead.",
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "An account with this email already exists. Sign in instead.",
  INVALID_PROFILE: "Choose one answer for each question.",
  UNAUTHENTICATED: "Your session ended. Sign in again.",
  TOO_MANY_ATTEMPTS: "Too many attempts. Wait a minute and try again.",
  RATE_LIMITED: "Too many requests. Wait a minute and try again.",
  AUTH_UNAVAILABLE: "The sign-in service is unavailable. Try again in a moment.",
  EMAIL_NOT_VERIFIED: "Confirm your email address first: open the link we sent you.",
  INVALID_TOKEN: "This link has expired or was already used. Ask for a new one.",
  TOKEN_EXPIRED: "This link has expired. Ask for a new one.",
  USER_NOT_FOUND: "This link belongs to an account that no longer exists.",
  RESET_PASSWORD_DISABLED: "This site cannot send email, so passwords cannot be reset by link.",
  VERIFICATION_EMAIL_NOT_ENABLED: "This site cannot send email, so addresses cannot be confirmed.",
  EMAIL_ALREADY_VERIFIED: "Your email address is already confirmed.",
  PASSWORD_REQUIRED: "Enter your password.",
  SESSION_NOT_FRESH: "For your safety, sign in again before doing this.",
  SESSION_EXPIRED: "For your safety, sign in again before doing this.",
  CREDENTIAL_ACCOUNT_NOT_FOUND: "Your account has no password yet. Use “Forgot password?” on the sign-in page to set one.",
  UPSTREAM_UNAVAILABLE: "Part of the site is not answering. Try again in a moment.",
  SAME_EMAIL: "That is already your email address.",
  PASSWORDS_DIFFER: "The two passwords differ. Type the same password twice.",
  UNAUTHORIZED: "Your session ended. Sign in again.",
};

export interface DisplayError {
  code: string;
  message: string;
}

export function toDisplayError(error: unknown): DisplayError {
  const e = (error ?? {}) as { code?: unknown; status?: unknown };
  const code = typeof e.code === "string" && e.code ? e.code : e.status === 429 ? "RATE_LIMITED" : "UNKNOWN";
  return { code, message: READER_MESSAGES[code] ?? "Something went wrong. Try again." };
}
