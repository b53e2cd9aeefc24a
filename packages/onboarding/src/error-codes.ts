/**
 * The onboarding plugin's error codes, with their messages from contract.json (the one home of every code, status
 * and message). The client half re-exports the table so the browser compares codes, never messages. Same shape as
 * Better-Auth's `defineErrorCodes`.
 */
import { errorCodes } from "./contract.js";

export const ONBOARDING_ERROR_CODES = errorCodes(["INVALID_PROFILE", "UNAUTHENTICATED"]);
