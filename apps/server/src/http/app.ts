/**
 * One origin: `/api/auth/*` is Better-Auth, `/api/*` is proxied to the Python backend, `/healthz` reports both
 * dependencies, and everything else is the built Docusaurus site. The server runs it behind the pre-router
 * (pre-router.ts), which answers the hot paths without it.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { serveStatic } from "@hono/node-server/serve-static";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { Auth } from "../auth/auth";
import { errorResponse } from "./errors";
import { securityHeaders } from "./security-headers";
import type { CorsPolicy } from "./cors";
import { retireHostOnlySessionCookie } from "./cookie-domain";
import { checkHealth } from "./health";
import { getCookies } from "better-auth/cookies";
import {
  betterAuth,
  clientAddressMiddleware,
  malformedRedirects,
  outageDetection,
  rateLimitAnswer,
  trustedRedirects,
  type AuthRouteEnv,
} from "./auth-route";
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

export function createApp(
  { auth, pool, backendUrl, siteDir, trustProxy, publicUrl, trustedOrigins, lookup, mailbox }: AppDeps,
  cors: CorsPolicy,
) {
  const app = new Hono<AuthRouteEnv>();

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
  // One middleware per concern (auth-route.ts says what each does and why in this order).
  app.on(
    ["GET", "POST"],
    "/api/auth/*",
    clientAddressMiddleware(trustProxy),
    malformedRedirects(),
    rateLimitAnswer(),
    trustedRedirects(publicUrl, trustedOrigins),
    outageDetection(pool),
    betterAuth(auth.handler),
  );

  // Better-Auth routes only GET and POST. Any other method on its paths is answered here, not proxied: /api/auth/*
  // belongs to the auth server, and the backend must never receive a request for it.
  app.all("/api/auth/*", () => errorResponse("METHOD_NOT_ALLOWED", undefined, { allow: "GET, POST" }));

  // Only a path that URL parsing turned into an /api/ path, or spelled with escapes, gets here (see pre-router.ts):
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
