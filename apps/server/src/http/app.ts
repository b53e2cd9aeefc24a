/**
 * One origin: `/api/auth/*` is Better-Auth, `/api/*` is proxied to the Python backend, `/healthz` reports both
 * dependencies, and everything else is the built Docusaurus site.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { getRequestListener } from "@hono/node-server";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import path from "node:path";
import type pg from "pg";
import type { Auth } from "../auth/auth";
import { errorResponse } from "./errors";
import { dropsProviderLocation, hasMalformedRedirect, redirectStaysTrusted } from "./redirects";
import { createProxy } from "./proxy";
import { securityHeaders, securityHeaderValues } from "./security-headers";
import { createCorsPolicy, type CorsPolicy } from "./cors";
import { retireHostOnlySessionCookie } from "./cookie-domain";
import { checkHealth } from "./health";
import { connectFailedRecently } from "../database/pool";
import { clientAddress, withClientAddress } from "./client-address";
import { releaseAttempt, reserveAttempt } from "../auth/sign-in-throttle";
import { getCookies } from "better-auth/cookies";
import { applyCredentialRule, keepTokenFromPageScripts } from "./session-credential";
import { createFastGetSession, forgetOnWrite, GET_SESSION_PATH } from "../sessions/fast-get-session";
import type { SessionLookup } from "../sessions/lookup";
import { liveProtectedFiles, protectedContent } from "./protected-content";
import { readerLevelFor, standingFromLookup } from "../auth/reader-access";
import { mailboxRoutes } from "../mail/routes";
import type { Mailbox } from "../mail/mailbox";

export interface AppDeps {
  auth: Auth;
  pool: pg.Pool;
  backendUrl: string;
  siteDir: string;
  /** Failed sign-in throttling (the per-address limits are Better-Auth's, configured in auth.ts). */
  throttleSignIn: boolean;
  trustProxy: boolean;
  /**
   * The public origin and TRUSTED_ORIGINS: the only places a redirect from /api/auth/* may send a browser, and the
   * only origins whose pages may read /api/* answers (cors.ts).
   */
  publicUrl: string;
  trustedOrigins: readonly string[];
  /** Largest request body proxied to the backend, in bytes. */
  proxyMaxBodyBytes: number;
  /** Better-Auth's secret, to read signed session cookies. */
  secret: string;
  /** Sessions from memory or one query: get-session's fast path. */
  lookup: SessionLookup;
  /** The development mailbox (development without SMTP_URL only): served at /dev/mailbox. */
  mailbox?: Mailbox | null;
}

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>Textbook</title>
<h1>The site is not built yet</h1><p>Run <code>npm start</code>, which builds it.</p>`;

/**
 * The Node request listener, and the one rule for what reaches the Python backend: a plain `/api/*` path, taken as
 * sent, meaning nothing URL parsing could reinterpret (no `.` or empty segments, escapes or backslashes, not absolute
 * form) and a first segment other than `auth`. Those go straight to the proxy, without Hono (adapting them to a WHATWG
 * Request cost the proxy about a tenth of its CPU); everything else is Hono's, which never proxies.
 */
const PLAIN_API_PATH = /^\/api(?:\/[\w~-]+(?:\.[\w~-]+)*)+\/?$/;

export async function createListener(deps: AppDeps): Promise<RequestListener> {
  const responseHeaders = await securityHeaderValues();
  const proxy = createProxy(deps.backendUrl, { maxBodyBytes: deps.proxyMaxBodyBytes, responseHeaders });
  const cors = await createCorsPolicy(deps.trustedOrigins, responseHeaders);
  const hono = getRequestListener(createApp(deps, cors).fetch);
  // The name Better-Auth reads for this PUBLIC_URL; the backend derives the same one from its PUBLIC_URL.
  const sessionCookie = getCookies(deps.auth.options).sessionToken.name;
  const fastGetSession = await createFastGetSession({ auth: deps.auth, secret: deps.secret, lookup: deps.lookup, responseHeaders });
  const toHono = (incoming: IncomingMessage, outgoing: ServerResponse) => void hono(incoming, outgoing);
  return (incoming, outgoing) => {
    applyCredentialRule(incoming, sessionCookie);
    const url = incoming.url ?? "";
    if (fastGetSession && url === GET_SESSION_PATH && incoming.method === "GET") {
      fastGetSession(incoming, outgoing, cors.answerHeaders(incoming.headers.origin, "auth")).then(
        (answered) => answered || toHono(incoming, outgoing),
        () => toHono(incoming, outgoing),
      );
      return;
    }
    const end = url.indexOf("?");
    const path = end === -1 ? url : url.slice(0, end);
    if (PLAIN_API_PATH.test(path) && !path.startsWith("/api/auth/") && path !== "/api/auth") {
      if (cors.answerPreflight(incoming, outgoing, "api")) return;
      proxy(incoming, outgoing, incoming.socket.remoteAddress, cors.answerHeaders(incoming.headers.origin, "api")).catch(() => outgoing.destroy());
    } else {
      if (incoming.method === "POST" && path.startsWith("/api/auth/")) forgetOnWrite(incoming, outgoing, deps.lookup, sessionCookie, deps.secret);
      toHono(incoming, outgoing);
    }
  };
}

export function createApp(
  { auth, pool, backendUrl, siteDir, throttleSignIn, trustProxy, publicUrl, trustedOrigins, lookup, mailbox }: AppDeps,
  cors: CorsPolicy,
) {
  const app = new Hono();

  app.use("*", securityHeaders());
  // A site on a trusted sibling origin calls /api/*: preflights are answered here, before the 405 below.
  app.use("/api/*", cors.middleware());

  // Never in production: config.ts gives a mailbox only to NODE_ENV=development without SMTP_URL.
  if (mailbox) app.route("/dev", mailboxRoutes(mailbox));

  app.get("/healthz", async (c) => {
    const report = await checkHealth(pool, backendUrl, lookup.state);
    return c.json(report.body, report.status);
  });

  const sessionCookie = getCookies(auth.options).sessionToken;
  if (sessionCookie.attributes.domain) app.use("/api/auth/*", retireHostOnlySessionCookie(sessionCookie));
  app.use(
    "/api/auth/*",
    bodyLimit({ maxSize: 64 * 1024, onError: () => errorResponse("PAYLOAD_TOO_LARGE") }),
  );
  // Sessions, tokens, the reader's email and profile: no cache (a shared proxy's, or the browser's back button)
  // may keep an answer from /api/auth/*. Only the public signing keys may be cached.
  app.use("/api/auth/*", async (c, next) => {
    await next();
    if (c.req.path !== "/api/auth/jwks") c.res.headers.set("cache-control", "no-store");
  });
  app.on(["GET", "POST"], "/api/auth/*", async (c) => {
    const address = clientAddress(c.req.raw, getConnInfo(c).remote.address, trustProxy);
    const request = withClientAddress(c.req.raw, address);
    try {
      const body = c.req.method === "POST" ? await readBody(request) : undefined;
      const query = request.url.includes("?") ? new URL(request.url).searchParams : undefined;
      if (hasMalformedRedirect(query, body)) return errorResponse("MALFORMED_CALLBACK_URL");
      const response =
        throttleSignIn && c.req.method === "POST" && c.req.path === "/api/auth/sign-in/email"
          ? await signInWithThrottle(pool, request, address, auth.handler, body)
          : await auth.handler(request);
      keepTokenFromPageScripts(c.req.raw, response);
      if (response.status === 429 && response.headers.has("x-retry-after")) return tooManyRequests(response);
      if (dropsProviderLocation(c.req.method, c.req.path, response.status)) response.headers.delete("location");
      const location = response.headers.get("location");
      if (location !== null && !redirectStaysTrusted(location, publicUrl, trustedOrigins)) return errorResponse("INVALID_CALLBACK_URL");
      // Better-Auth answers a failed query with a bare 500, or with "no session" (401, or a null get-session);
      // tell an outage apart, pinging the database only when a connection failed recently.
      const maybeOutage =
        response.status >= 500 ||
        ((response.status === 401 || c.req.path === "/api/auth/get-session") && connectFailedRecently(pool));
      return maybeOutage ? await databaseAwareError(pool, response, response) : response;
    } catch (error) {
      return databaseAwareError(pool, error);
    }
  });

  // Better-Auth routes only GET and POST. Any other method on its paths is answered here, not proxied: /api/auth/*
  // belongs to the auth server, and the backend must never receive a request for it.
  app.all("/api/auth/*", () => errorResponse("METHOD_NOT_ALLOWED", undefined, { allow: "GET, POST" }));

  // Only a path that URL parsing turned into an /api/ path, or spelled with escapes, gets here (see createListener):
  // the backend would receive it as sent, not as routed, so it is not proxied.
  app.all("/api/*", () => errorResponse("NOT_FOUND"));

  if (existsSync(siteDir)) {
    // Protected pages and their files reach only readers who may read them (see protected-content.ts).
    // Sessions from memory when the server keeps them (the same lookup as get-session), else batched queries.
    const standings = lookup.state === "disabled" ? undefined : standingFromLookup(lookup);
    app.use("/*", protectedContent(liveProtectedFiles(siteDir), readerLevelFor(auth, pool, standings)));
    app.use("/*", serveStatic({ root: path.relative(process.cwd(), siteDir) || "." }));
    const notFoundPage = path.join(siteDir, "404.html");
    app.notFound((c) =>
      existsSync(notFoundPage) ? c.html(readFileSync(notFoundPage, "utf8"), 404) : c.text("Not found", 404),
    );
  } else {
    app.get("/", (c) => c.html(PLACEHOLDER));
  }

  app.onError((error) => {
    console.error(error);
    return errorResponse("INTERNAL_ERROR");
  });
  return app;
}

/**
 * Failed sign-ins are counted per account and address; past the limit the password is not even checked. Each attempt
 * is counted before the password is checked and given back unless it may have been a wrong password, so concurrent
 * guesses cannot all pass the limit at once.
 */
async function signInWithThrottle(
  pool: pg.Pool,
  request: Request,
  address: string,
  handler: (r: Request) => Promise<Response>,
  body: unknown,
): Promise<Response> {
  const email = (body as { email?: unknown } | undefined)?.email;
  // No email we can read is no email Better-Auth can read either (same parsers): it answers 400 or 415 itself.
  if (typeof email !== "string") return handler(request);
  const reservation = await reserveAttempt(pool, email, address);
  if (!reservation.allowed) {
    return errorResponse("TOO_MANY_ATTEMPTS", undefined, { "retry-after": String(reservation.retryAfterSeconds) });
  }
  const response = await handler(request);
  // 401 is a wrong password (or an unknown account, counted alike so the limit tells nothing about which emails
  // exist): the slot stays used. Other 4xx are refusals before any password check (body validation, origin and
  // callback checks, Better-Auth's own rate limit). A 5xx keeps the slot: it may come after a check.
  if (response.ok) await releaseAttempt(pool, reservation.id, { email, address });
  else if (response.status >= 400 && response.status < 500 && response.status !== 401) await releaseAttempt(pool, reservation.id);
  return response;
}

/**
 * The body as Better-Auth's router (better-call) will read it: JSON, or an HTML form (urlencoded or multipart),
 * where the last of repeated fields wins. Reading it any other way lets an attacker slip past a check: a
 * form-encoded sign-in, or `email=decoy&email=victim`, would be throttled against another account.
 */
async function readBody(request: Request): Promise<Record<string, unknown> | undefined> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  try {
    if (/^application\/([a-z0-9.+-]*\+)?json/.test(type)) {
      const json: unknown = await request.clone().json();
      return json !== null && typeof json === "object" ? (json as Record<string, unknown>) : undefined;
    }
    if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
      const form = await request.clone().formData();
      return Object.fromEntries([...new Set(form.keys())].map((key) => [key, form.getAll(key).at(-1)]));
    }
  } catch {
    // Unparseable: Better-Auth refuses it with its own 400.
  }
  return undefined;
}

/** Better-Auth's 429 carries X-Retry-After and no code; clients and proxies expect Retry-After. */
function tooManyRequests(response: Response): Response {
  return errorResponse("RATE_LIMITED", undefined, { "retry-after": response.headers.get("x-retry-after")! });
}

/** A thrown error while the database is down is an outage (503 with a code), not a bug (500). */
async function databaseAwareError(pool: pg.Pool, error: unknown, original?: Response): Promise<Response> {
  const reachable = await pool
    .query("SELECT 1")
    .then(() => true)
    .catch(() => false);
  if (!reachable) return errorResponse("AUTH_UNAVAILABLE");
  if (original) return original;
  console.error(error);
  return errorResponse("INTERNAL_ERROR");
}
