/**
 * The Better-Auth instance: email and password, sessions in PostgreSQL, the onboarding profile, bearer tokens
 * (for non-browser clients of the Python backend) and JWTs (for the backend's JWT mode).
 */
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { bearer, jwt } from "better-auth/plugins";
import { onboarding } from "@textbook-auth/onboarding";
import type pg from "pg";
import type { Config } from "../config";

export function authOptions(config: Config, pool: pg.Pool, secret: string) {
  return {
    appName: "Textbook",
    baseURL: config.publicUrl,
    basePath: "/api/auth",
    secret,
    database: pool,
    trustedOrigins: config.trustedOrigins,
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128 },
    telemetry: { enabled: false },
    // Better-Auth turns its origin check off when NODE_ENV=test; we test the product as it runs, so keep it on.
    advanced: { disableOriginCheck: false, disableCSRFCheck: false },
    plugins: [
      onboarding({ pool }),
      bearer(),
      // `sid` lets a backend in JWT mode check revocation when it chooses to (decisions.md, 3).
      jwt({ jwt: { definePayload: ({ user, session }) => ({ id: user.id, email: user.email, name: user.name, sid: session.id }) } }),
    ],
  } satisfies BetterAuthOptions;
}

export function createAuth(config: Config, pool: pg.Pool, secret: string) {
  return betterAuth(authOptions(config, pool, secret));
}

export type Auth = ReturnType<typeof createAuth>;
