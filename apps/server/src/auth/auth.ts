/**
 * The Better-Auth instance: email and password, sessions in PostgreSQL, the onboarding profile, bearer tokens
 * (for non-browser clients of the Python backend) and JWTs (for the backend's JWT mode).
 */
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { bearer, jwt } from "better-auth/plugins";
import { onboarding, readProfile } from "@textbook-auth/onboarding";
import type pg from "pg";
import type { Config } from "../config";
import { passwordHasher } from "./password";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";

export function authOptions(config: Config, pool: pg.Pool, secret: string) {
  return {
    appName: "Textbook",
    baseURL: config.publicUrl,
    basePath: "/api/auth",
    secret,
    database: pool,
    trustedOrigins: config.trustedOrigins,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      password: passwordHasher(pool),
    },
    telemetry: { enabled: false },
    // Better-Auth turns its origin check off when NODE_ENV=test; we test the product as it runs, so keep it on.
    advanced: {
      disableOriginCheck: false,
      disableCSRFCheck: false,
      // The HTTP layer puts the real client address here (see http/client-address.ts); nothing else is believed.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    // Stored in PostgreSQL so several server instances share the counters.
    rateLimit: {
      enabled: config.rateLimit,
      storage: "database",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/*": { window: 60, max: 10 },
        "/sign-up/*": { window: 60, max: 5 },
        "/change-password": { window: 60, max: 5 },
        "/change-email": { window: 60, max: 5 },
        "/request-password-reset": { window: 300, max: 3 },
        "/reset-password": { window: 300, max: 5 },
        // Read-only and hot: the per-address default would throttle a reader's own page loads.
        "/get-session": false,
      },
    },
    plugins: [
      onboarding({ pool }),
      bearer(),
      // The JWT carries what the Python backend's JWT mode needs without a query: who, which session (`sid`,
      // for backends that check revocation), and the profile as it was when the token was issued.
      jwt({
        // Otherwise every get-session signs a token (and reads the profile for it): JWTs come from /token.
        disableSettingJwtHeader: true,
        jwt: {
          expirationTime: config.jwtExpiration,
          definePayload: async ({ user, session }) => {
            const profile = await readProfile(pool, user.id);
            return { email: user.email, name: user.name, sid: session.id, profile, profileComplete: profile?.onboardingCompleted ?? false };
          },
        },
      }),
    ],
  } satisfies BetterAuthOptions;
}

export function createAuth(config: Config, pool: pg.Pool, secret: string) {
  return betterAuth(authOptions(config, pool, secret));
}

export type Auth = ReturnType<typeof createAuth>;
