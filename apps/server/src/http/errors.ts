/**
 * The Node server's own error codes. Every error body is `{ code, message }`; each code's status and message live
 * in the onboarding package's contract.json, the one table both languages read.
 */
import { ERRORS } from "@textbook-auth/onboarding/contract";

/** The codes the Node server answers itself (Better-Auth's and the plugins' come on top). */
const SERVER_CODES = [
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_TIMEOUT",
  // The interface's codes, as the protected-content gate answers them.
  "UNAUTHENTICATED",
  "PROFILE_INCOMPLETE",
  "AUTH_UNAVAILABLE",
  "NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  // Better-Auth's own code for the same refusal, so a client sees one code whichever layer refused.
  "INVALID_CALLBACK_URL",
  // Better-Auth's and the backend's code for a write from an untrusted origin; here a CORS preflight from one.
  "INVALID_ORIGIN",
  "MALFORMED_CALLBACK_URL",
  "RATE_LIMITED",
  "TOO_MANY_ATTEMPTS",
  "PAYLOAD_TOO_LARGE",
  "UNHEALTHY",
  "INTERNAL_ERROR",
] as const;

export type ServerErrorCode = (typeof SERVER_CODES)[number];

export const SERVER_ERRORS = Object.fromEntries(SERVER_CODES.map((code) => [code, ERRORS[code]])) as {
  readonly [K in ServerErrorCode]: { readonly status: number; readonly message: string };
};

export function errorResponse(code: ServerErrorCode, message?: string, headers?: HeadersInit): Response {
  const { status, message: fallback } = SERVER_ERRORS[code];
  return Response.json({ code, message: message ?? fallback }, { status, headers });
}
