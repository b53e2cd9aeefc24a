/**
 * Cross-origin requests to `/api/*`, for a site on another origin (a sibling subdomain, `docs.example.com` beside
 * `auth.example.com`). The contract, the same on every path (Hono's, the get-session fast path, the proxy):
 * - only an `Origin` that is one of the trusted origins (PUBLIC_URL and TRUSTED_ORIGINS, the list Better-Auth's CSRF
 *   check uses), byte for byte as browsers send it, gets CORS headers: that origin echoed (never `*`) and
 *   `Access-Control-Allow-Credentials: true`;
 * - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`, as the Fetch standard defines it) is
 *   answered here: 204 with the allowed methods and headers for a trusted origin, 403 `INVALID_ORIGIN` with no CORS
 *   header for any other. It never reaches Better-Auth (which would answer 405) or the backend (401: a preflight
 *   carries no credentials);
 * - every answer says `Vary: Origin`, since what it carries depends on it; none exposes a header to a page.
 * CORS only decides which pages may read answers. Which writes are accepted stays with the CSRF checks (Better-Auth's
 * origin check, the backend's `INVALID_ORIGIN`), which accept exactly the same origins.
 *
 * The header values come from Hono's `cors` middleware, computed once per origin (as security-headers.ts does for its
 * headers): the proxy and the fast path skip Hono, and a lookup costs them nothing.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { errorResponse, SERVER_ERRORS } from "./errors";

/** Better-Auth routes GET and POST only; the backend's routes use these. */
const METHODS = { auth: ["GET", "POST"], api: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] } as const;
/** What the theme's client (JSON bodies) and bearer-token callers send beyond the CORS-safelisted headers. */
const ALLOWED_HEADERS = ["Content-Type", "Authorization"];
/** How long a browser may reuse a preflight's answer, in seconds (Chromium caps it at 7,200). */
const MAX_AGE = 600;

export type CorsFamily = keyof typeof METHODS;
type HeaderRecord = Readonly<Record<string, string>>;

const VARY_ONLY: HeaderRecord = Object.freeze({ vary: "Origin" });

/** `/api/auth/*` is Better-Auth's, the rest of `/api/*` the backend's. */
export const familyOf = (path: string): CorsFamily => (path === "/api/auth" || path.startsWith("/api/auth/") ? "auth" : "api");

/** A CORS preflight by the Fetch standard's definition; any other OPTIONS is an ordinary request. */
export const isPreflight = (method: string | undefined, origin: string | undefined, requestMethod: string | undefined) =>
  method === "OPTIONS" && origin !== undefined && requestMethod !== undefined;

/** hono/cors's answers for one trusted origin: to an ordinary request, and to a preflight. */
async function honoCorsHeaders(origin: string, methods: readonly string[]) {
  const middleware = cors({
    origin: (requested) => (requested === origin ? origin : null),
    credentials: true,
    allowMethods: [...methods],
    allowHeaders: ALLOWED_HEADERS,
    maxAge: MAX_AGE,
  });
  const app = new Hono().use(middleware).all("/", (c) => c.body(null));
  const read = async (init: RequestInit) => Object.freeze(Object.fromEntries((await app.request("/", init)).headers)) as HeaderRecord;
  return {
    actual: await read({ headers: { origin } }),
    preflight: await read({ method: "OPTIONS", headers: { origin, "access-control-request-method": methods.at(-1)! } }),
  };
}

export type CorsPolicy = Awaited<ReturnType<typeof createCorsPolicy>>;

/**
 * `trustedOrigins`: exact origins (config.ts refuses wildcards). `baseHeaders`: what every answer of the origin carries
 * (the security headers), for the answers written outside Hono.
 */
export async function createCorsPolicy(trustedOrigins: readonly string[], baseHeaders: HeaderRecord) {
  const byFamily = {} as Record<CorsFamily, Map<string, { actual: HeaderRecord; preflight: HeaderRecord }>>;
  // Whole header sets for the answers written outside Hono, built once: a request pays one Map lookup.
  const answers = {} as Record<CorsFamily, Map<string, HeaderRecord>>;
  for (const family of Object.keys(METHODS) as CorsFamily[]) {
    byFamily[family] = new Map();
    answers[family] = new Map();
    for (const origin of trustedOrigins) {
      const headers = await honoCorsHeaders(origin, METHODS[family]);
      byFamily[family].set(origin, headers);
      answers[family].set(origin, Object.freeze({ ...baseHeaders, ...headers.actual }));
    }
  }
  const untrusted = Object.freeze({ ...baseHeaders, ...VARY_ONLY });
  const refusal = JSON.stringify({ code: "INVALID_ORIGIN", message: SERVER_ERRORS.INVALID_ORIGIN.message });

  /** The CORS part of an ordinary answer to `origin`: the echo and credentials for a trusted one, else only Vary. */
  const corsHeaders = (origin: string | undefined, family: CorsFamily): HeaderRecord =>
    (origin !== undefined && byFamily[family].get(origin)?.actual) || VARY_ONLY;

  return {
    corsHeaders,

    /** Every header of an ordinary answer to `origin` written outside Hono: the base headers and the CORS part. */
    answerHeaders(origin: string | undefined, family: CorsFamily): HeaderRecord {
      return (origin !== undefined && answers[family].get(origin)) || untrusted;
    },

    /** Hono's side, for `/api/*`: preflights answered here, other answers given their CORS part. */
    middleware(): MiddlewareHandler {
      return async (c, next) => {
        const origin = c.req.header("origin");
        const family = familyOf(c.req.path);
        if (isPreflight(c.req.method, origin, c.req.header("access-control-request-method"))) {
          const allowed = byFamily[family].get(origin!);
          return allowed ? new Response(null, { status: 204, headers: allowed.preflight }) : errorResponse("INVALID_ORIGIN", undefined, VARY_ONLY);
        }
        await next();
        // Better-Auth's bearer plugin exposes set-auth-token to any page allowed to read its answers; the token is a
        // credential, and session-credential.ts keeps it from browsers anyway. Pages read bodies, never headers.
        c.res.headers.delete("access-control-expose-headers");
        for (const [name, value] of Object.entries(corsHeaders(origin, family))) {
          if (name === "vary") c.res.headers.append("vary", value);
          else c.res.headers.set(name, value);
        }
      };
    },

    /**
     * Outside Hono (the proxy): answers a preflight and returns true, or returns false having written nothing. A
     * preflight's body, if it has one, is not read: the connection is closed after the answer.
     */
    answerPreflight(incoming: IncomingMessage, outgoing: ServerResponse, family: CorsFamily): boolean {
      if (incoming.method !== "OPTIONS") return false; // the proxy's common case, decided without reading headers
      const origin = incoming.headers.origin;
      if (!isPreflight(incoming.method, origin, incoming.headers["access-control-request-method"] as string | undefined)) return false;
      const allowed = byFamily[family].get(origin!);
      const headers: OutgoingHttpHeaders = allowed
        ? { ...baseHeaders, ...allowed.preflight }
        : { ...untrusted, "content-type": "application/json", "cache-control": "no-store" };
      if (incoming.headers["transfer-encoding"] !== undefined || Number(incoming.headers["content-length"] ?? 0) > 0) headers.connection = "close";
      if (allowed) outgoing.writeHead(204, headers).end();
      else outgoing.writeHead(SERVER_ERRORS.INVALID_ORIGIN.status, headers).end(refusal);
      return true;
    },
  };
}
