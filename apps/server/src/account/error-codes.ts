/**
 * The account plugin's error codes (same shape as Better-Auth's `defineErrorCodes`), with their messages from the
 * onboarding package's contract.json; the theme picks words by code.
 */
import { errorCodes } from "@textbook-auth/onboarding/contract";

export const ACCOUNT_ERROR_CODES = errorCodes(["PASSWORD_REQUIRED", "SESSION_NOT_FRESH", "UPSTREAM_UNAVAILABLE"]);
