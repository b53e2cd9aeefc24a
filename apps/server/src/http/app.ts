/**
 * One origin: `/api/auth/*` is Better-Auth, `/api/*` is proxied to the Python backend, `/healthz` reports both
 * dependencies, and everything else is the built Docusaurus site.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { Auth } from "../auth/auth";
import { errorResponse } from "./errors";
import { createProxy } from "./proxy";
import { checkHealth } from "./health";

export interface AppDeps {
  auth: Auth;
  pool: pg.Pool;
  backendUrl: string;
  siteDir: string;
}

const PLACEHOLDER = `<!doctype html><meta charset="utf-8"><title>Textbook</title>
<h1>The site is not built yet</h1><p>Run <code>npm start</code>, which builds it.</p>`;

export function createApp({ auth, pool, backendUrl, siteDir }: AppDeps) {
  const app = new Hono();
  const proxy = createProxy(backendUrl);

  app.get("/healthz", async (c) => {
    const report = await checkHealth(pool, backendUrl);
    return c.json(report.body, report.status);
  });

  app.use(
    "/api/auth/*",
    bodyLimit({ maxSize: 64 * 1024, onError: () => errorResponse("PAYLOAD_TOO_LARGE") }),
  );
  app.on(["GET", "POST"], "/api/auth/*", async (c) => {
    try {
      const response = await auth.handler(c.req.raw);
      // Better-Auth answers a failed query with a bare 500; tell an outage apart from a bug.
      return response.status >= 500 ? await databaseAwareError(pool, response, response) : response;
    } catch (error) {
      return databaseAwareError(pool, error);
    }
  });

  app.all("/api/*", (c) => proxy(c.req.raw, getConnInfo(c).remote.address));

  if (existsSync(siteDir)) {
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
