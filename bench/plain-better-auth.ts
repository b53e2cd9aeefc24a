/** Plain Better-Auth on Hono, same database and secret, none of our plugins: the baseline for get-session. */
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
