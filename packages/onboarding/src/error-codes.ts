/**
 * The onboarding plugin's error codes. The client half re-exports the table so the browser compares codes,
 * never messages. Same shape as Better-Auth's `defineErrorCodes`.
 */
const define = <T extends Record<string, string>>(codes: T) =>
  Object.fromEntries(Object.entries(codes).map(([code, message]) => [code, { code, message }])) as {
    [K in keyof T]: { code: K; message: T[K] };
  };

export const ONBOARDING_ERROR_CODES = define({
  INVALID_PROFILE: "The profile is invalid",
  UNAUTHENTICATED: "Sign in first",
});
