/** The Node server's own error codes. Every error body is `{ code, message }`. */
export const SERVER_ERRORS = {
  UPSTREAM_UNAVAILABLE: { status: 502, message: "The Python backend cannot be reached" },
  UPSTREAM_TIMEOUT: { status: 504, message: "The Python backend did not answer in time" },
  // The interface's codes, as the protected-content gate answers them (the backend's wording, decision 4).
  UNAUTHENTICATED: { status: 401, message: "Sign in to read this" },
  PROFILE_INCOMPLETE: { status: 403, message: "Profile Incomplete" },
  AUTH_UNAVAILABLE: { status: 503, message: "The database cannot be reached" },
  NOT_FOUND: { status: 404, message: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, message: "Method not allowed" },
  // Better-Auth's own code for the same refusal, so a client sees one code whichever layer refused.
  INVALID_CALLBACK_URL: { status: 403, message: "Invalid callbackURL" },
  // Better-Auth's and the backend's code for a write from an untrusted origin; here a CORS preflight from one.
  INVALID_ORIGIN: { status: 403, message: "This request must come from a trusted origin" },
  MALFORMED_CALLBACK_URL: {
    status: 400,
    message: "A callbackURL (or redirectTo) must be at most 2048 printable ASCII characters; percent-encode the rest",
  },
  RATE_LIMITED: { status: 429, message: "Too many requests; try again later" },
  TOO_MANY_ATTEMPTS: { status: 429, message: "Too many failed sign-ins for this account; try again later" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "The request body is too large" },
  INTERNAL_ERROR: { status: 500, message: "Internal error" },
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;

export function errorResponse(code: ServerErrorCode, message?: string, headers?: HeadersInit): Response {
  const { status, message: fallback } = SERVER_ERRORS[code];
  return Response.json({ code, message: message ?? fallback }, { status, headers });
}
