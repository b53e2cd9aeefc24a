/**
 * `/api/auth/*` (GET and POST) as a chain of Hono middleware, one concern each, ending in Better-Auth's handler:
 *
 *   clientAddress -> malformedRedirects -> rateLimitAnswer -> trustedRedirects -> outageDetection -> betterAuth
 *
 * Values travel between them as typed context variables (`AuthRouteEnv`), never as request headers; the only header
 * written is the one Better-Auth is configured to read its client address from (`advanced.ipAddress`), at the last
 * step, because a header is the only way Better-Auth takes an address. Response-side middleware replace the answer
 * through `replaceResponse`, so nothing of the replaced answer (a Set-Cookie, a Location) leaks into the new one.
 * The failed sign-in throttle is not here: it is a Better-Auth plugin (../auth/sign-in-throttle.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type pg from "pg";
import { connectFailedRecently } from "../database/pool";
import { clientAddress, CLIENT_ADDRESS_HEADER } from "./client-address";
import { errorResponse } from "./errors";
import { dropsProviderLocation, hasMalformedRedirect, redirectStaysTrusted } from "./redirects";
import { readBodyAsBetterAuth } from "./request-body";
import { keepTokenFromPageScripts } from "./session-credential";

export type AuthRouteEnv = {
  Variables: {
    /** The client's address: the socket's, or the last X-Forwarded-For entry behind a trusted proxy. */
    clientAddress: string;
  };
};

type AuthMiddleware = MiddlewareHandler<AuthRouteEnv>;

/**
 * Hono merges the previous answer's headers into an answer assigned to `c.res`; a refusal must carry none of them
 * (the session cookie of a sign-in, the Location it refuses). Clearing first makes it a plain replacement.
 */
export function replaceResponse(c: Context, response: Response): void {
  c.res = undefined;
  c.res = response;
}

/** Who is asking: for Better-Auth's rate limiter, session.ipAddress and the sign-in throttle. */
export const clientAddressMiddleware =
  (trustProxy: boolean): AuthMiddleware =>
  async (c, next) => {
    c.set("clientAddress", clientAddress(c.req.raw, getConnInfo(c).remote.address, trustProxy));
    await next();
  };

/** 400 MALFORMED_CALLBACK_URL before Better-Auth runs (redirects.ts says why it cannot be later). */
export const malformedRedirects = (): AuthMiddleware => async (c, next) => {
  const request = c.req.raw;
  const query = request.url.includes("?") ? new URL(request.url).searchParams : undefined;
  const body = request.method === "POST" ? await readBodyAsBetterAuth(request) : undefined;
  if (hasMalformedRedirect(query, body)) return errorResponse("MALFORMED_CALLBACK_URL");
  await next();
};

/** Better-Auth's 429 carries X-Retry-After and no code; clients and proxies expect Retry-After and a code. */
export const rateLimitAnswer = (): AuthMiddleware => async (c, next) => {
  await next();
  const retryAfter = c.res.status === 429 ? c.res.headers.get("x-retry-after") : null;
  if (retryAfter !== null) replaceResponse(c, errorResponse("RATE_LIMITED", undefined, { "retry-after": retryAfter }));
};

/** No redirect from /api/auth/* leaves the trusted origins, whatever Better-Auth decided (redirects.ts). */
export const trustedRedirects =
  (publicUrl: string, trustedOrigins: readonly string[]): AuthMiddleware =>
  async (c, next) => {
    await next();
    if (dropsProviderLocation(c.req.method, c.req.path, c.res.status)) c.res.headers.delete("location");
    const location = c.res.headers.get("location");
    if (location !== null && !redirectStaysTrusted(location, publicUrl, trustedOrigins)) replaceResponse(c, errorResponse("INVALID_CALLBACK_URL"));
  };

/**
 * Better-Auth answers a failed query with a bare 500, or with "no session" (401, or a null get-session), and a thrown
 * error reaches Hono's onError (500). An outage is told apart by pinging the database: always after a 5xx, after
 * "no session" only when a connection failed recently, so a visitor costs no query.
 */
export const outageDetection =
  (pool: pg.Pool): AuthMiddleware =>
  async (c, next) => {
    await next();
    const status = c.res.status;
    const maybeOutage = status >= 500 || ((status === 401 || c.req.path === "/api/auth/get-session") && connectFailedRecently(pool));
    if (!maybeOutage) return;
    const reachable = await pool
      .query("SELECT 1")
      .then(() => true)
      .catch(() => false);
    if (!reachable) replaceResponse(c, errorResponse("AUTH_UNAVAILABLE"));
  };

/** Better-Auth's handler, given the client address the one way it reads one. */
export const betterAuth =
  (handler: (request: Request) => Promise<Response>) =>
  async (c: Context<AuthRouteEnv>): Promise<Response> => {
    const request = c.req.raw;
    // In place, replacing any client-sent copy: cloning a Request per call cost more than a whole get-session.
    request.headers.set(CLIENT_ADDRESS_HEADER, c.var.clientAddress);
    const response = await handler(request);
    keepTokenFromPageScripts(request, response);
    return response;
  };
