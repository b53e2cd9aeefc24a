/** The account plugin's error codes (same shape as Better-Auth's `defineErrorCodes`); the theme picks words by code. */
const define = <T extends Record<string, string>>(codes: T) =>
  Object.fromEntries(Object.entries(codes).map(([code, message]) => [code, { code, message }])) as {
    [K in keyof T]: { code: K; message: T[K] };
  };

export const ACCOUNT_ERROR_CODES = define({
  PASSWORD_REQUIRED: "Enter your password to delete your account",
  SESSION_NOT_FRESH: "Sign in again to do this: your sign-in is too old",
  UPSTREAM_UNAVAILABLE: "The Python backend cannot be reached, so its data cannot be exported; try again",
});
