/**
 * The Better-Auth instance: email and password, sessions in PostgreSQL, the onboarding profile, bearer tokens
 * (for non-browser clients of the Python backend) and JWTs (for the backend's JWT mode). With mail (see
 * ../mail/): password reset, email verification and email change by link; the account plugin (../account/) adds
 * the export and the stricter deletion rule.
 */
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { bearer, jwt } from "better-auth/plugins";
import { COOKIE_PREFIX, jwtPayload, onboarding } from "@textbook-auth/onboarding";
import type pg from "pg";
import type { Config } from "../config";
import { passwordHasher } from "./password";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";
import type { Mailer } from "../mail/mailer";
import { changeEmailMail, resetPasswordMail, verifyEmailMail } from "../mail/messages";
import { account, afterDelete } from "../account";
import { backendExport } from "../account/export";
import { socialPlugins, socialProviderOptions } from "./social";
import { signInThrottle } from "./sign-in-throttle";
import { withOneRouter } from "./better-auth-internals";

/** A reset link works once, for this long. */
export const RESET_PASSWORD_EXPIRES_IN = 60 * 60;
/** A verification (or email-change) link works for this long. */
export const VERIFY_EMAIL_EXPIRES_IN = 24 * 60 * 60;

/** Where a reset link lands when the request named no page: the theme's /reset-password. */
function withResetPage(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.get("callbackURL")) parsed.searchParams.set("callbackURL", "/reset-password");
  return parsed.href;
}

/** Better-Auth's verification tokens are JWTs; an email change's names the new address in `updateTo`. */
function isEmailChange(token: string): boolean {
  try {
    return Boolean(JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()).updateTo);
  } catch {
    return false;
  }
}

/**
 * Better-Auth's mail features, configured only when mail can leave the server: without it Better-Auth answers
 * RESET_PASSWORD_DISABLED and VERIFICATION_EMAIL_NOT_ENABLED itself, and the account page hides the buttons.
 */
function mailOptions(config: Config, mailer: Mailer | undefined) {
  if (!mailer?.enabled) return {};
  return {
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: VERIFY_EMAIL_EXPIRES_IN,
      // Better-Auth calls this for sign-up, "send again" and the new address of an email change (whose user.email
      // is then the new address): the token's payload tells which.
      sendVerificationEmail: async ({ user, url, token }: { user: { email: string }; url: string; token: string }) => {
        await mailer.send(isEmailChange(token) ? changeEmailMail(user.email, url) : verifyEmailMail(user.email, url));
      },
    },
  };
}

export function authOptions(config: Config, pool: pg.Pool, secret: string, mailer?: Mailer) {
  const mail = mailOptions(config, mailer);
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
      // config.ts refuses REQUIRE_EMAIL_VERIFICATION without mail.
      requireEmailVerification: config.requireEmailVerification,
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: RESET_PASSWORD_EXPIRES_IN,
      ...(mailer?.enabled && {
        sendResetPassword: async ({ user, url }: { user: { email: string }; url: string }) => {
          await mailer.send(resetPasswordMail(user.email, withResetPage(url), RESET_PASSWORD_EXPIRES_IN / 60));
        },
      }),
    },
    emailVerification: mail.emailVerification,
    user: {
      changeEmail: {
        enabled: true,
        // An address nobody has confirmed protects nothing: it changes at once, and (with mail) the new one is sent a
        // link. A confirmed address changes only when the link sent to the new one is opened. Without mail nobody's
        // address is confirmed, so every change is immediate.
        updateEmailWithoutVerification: true,
      },
      deleteUser: { enabled: true, afterDelete: afterDelete(pool) },
    },
    socialProviders: socialProviderOptions(config.socialProviders),
    // Better-Auth's rules, made explicit (README, "Social and OpenID sign-in"): a provider sign-in joins an existing
    // account of the same address only when the provider says it verified the address and the account's own address
    // is verified too (Better-Auth's requireLocalEmailVerified default); no provider is trusted by name, and a reader
    // can never link an account of another address.
    account: {
      accountLinking: { enabled: true, trustedProviders: [], allowDifferentEmails: false },
    },
    telemetry: { enabled: false },
    // Better-Auth turns its origin check off when NODE_ENV=test; we test the product as it runs, so keep it on.
    advanced: {
      disableOriginCheck: false,
      disableCSRFCheck: false,
      // Better-Auth's default, stated where the Python package reads it (contract.json): it names the session cookie.
      cookiePrefix: COOKIE_PREFIX,
      // The HTTP layer puts the real client address here (see http/client-address.ts); nothing else is believed.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
      // A site on a sibling subdomain (COOKIE_DOMAIN): the cookies carry `Domain=`, so every host under it receives
      // them. Their other attributes stay Better-Auth's: HttpOnly, SameSite=Lax (a sibling is the same site), Secure
      // and the __Secure- prefix only with an https PUBLIC_URL.
      ...(config.cookieDomain ? { crossSubDomainCookies: { enabled: true, domain: config.cookieDomain } } : {}),
      // Mail goes out after the answer (see mail/mailer.ts); without mail the default (await) changes nothing.
      ...(mailer?.enabled && { backgroundTasks: { handler: (task: Promise<unknown>) => mailer.background(task) } }),
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
        // Every endpoint that sends mail: per client address here, and per recipient in the mailer.
        "/change-email": { window: 300, max: 3 },
        "/request-password-reset": { window: 300, max: 3 },
        "/send-verification-email": { window: 300, max: 3 },
        // Sends the new address its link in Better-Auth's two-step email change.
        "/verify-email": { window: 60, max: 10 },
        "/reset-password": { window: 300, max: 5 },
        "/reset-password/*": { window: 300, max: 10 },
        "/delete-user": { window: 300, max: 5 },
        "/account/export": { window: 60, max: 5 },
        // Read-only and hot: the per-address default would throttle a reader's own page loads.
        "/get-session": false,
      },
    },
    plugins: [
      onboarding({ pool, fields: config.profileFields }),
      // Failed sign-ins per account, on top of the per-address limits above; on and off with them.
      ...(config.rateLimit ? [signInThrottle({ pool })] : []),
      ...socialPlugins(config.socialProviders),
      account({
        pool,
        backendExport: backendExport(config.backendUrl),
        mail: Boolean(mailer?.enabled),
        emailVerificationRequired: config.requireEmailVerification,
        profileFields: config.profileFields,
      }),
      // Only the signed `token.signature` form: the bare token must never be a credential on its own (list-sessions
      // shows the reader each session's raw token, which revoke-session takes).
      bearer({ requireSignature: true }),
      // The JWT carries what the Python backend's JWT mode needs without a query; the onboarding plugin defines it
      // (the contract the Python package reads).
      jwt({
        // Otherwise every get-session signs a token (and reads the profile for it): JWTs come from /token.
        disableSettingJwtHeader: true,
        jwt: {
          expirationTime: config.jwtExpiration,
          definePayload: jwtPayload({ pool, fields: config.profileFields }),
        },
      }),
    ],
  } satisfies BetterAuthOptions;
}

export function createAuth(config: Config, pool: pg.Pool, secret: string, mailer?: Mailer) {
  return withOneRouter(betterAuth(authOptions(config, pool, secret, mailer)));
}

export type Auth = ReturnType<typeof createAuth>;
