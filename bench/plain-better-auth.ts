/**
 * Plain Better-Auth on Hono, same database and secret, none of our plugins: the baseline for get-session.
 *
 * Not the Python package's packages/fastapi-better-auth/tests/fixtures/plain_better_auth.mjs, though both pass
 * Better-Auth the same plain options: that one stands for a Better-Auth server outside this repository (Better-Auth's
 * own node:http handler, its own migration on its own database, a small pool). A baseline must differ from the
 * product only in what is measured, so this one is mounted on Hono as the product is, with the product's default
 * pool size (10), and runs no migration: it serves the product's database, already migrated.
 */
import { serve } from "@hono/node-server";
import { betterAuth } from "better-auth";
import { Hono } from "hono";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const auth = betterAuth({
  baseURL: process.env.PUBLIC_URL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: pool,
  emailAndPassword: { enabled: true },
  telemetry: { enabled: false },
});
const app = new Hono();
app.on(["GET", "POST"], "/api/auth/*", (c) => auth.handler(c.req.raw));
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: Number(process.env.PORT) }, () => console.log("ready"));
