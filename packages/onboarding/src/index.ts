/**
 * Onboarding: a strict reader profile for Better-Auth.
 *
 * - `GET /profile` and `POST /profile` read and write the reader's row in `user_profile` (see schema.ts).
 * - `GET /get-session` is replaced by the same session payload plus `user.profileComplete` and `profile`,
 *   so a front end needs one request to decide where a reader goes; `session.token` is left out.
 * - Nothing a client sends can set the completion flag: sign-up and update-user never touch `user_profile`,
 *   and POST /profile computes the flag itself.
 */
import type { BetterAuthOptions, BetterAuthPlugin } from "better-auth";
import { APIError, createAuthEndpoint, getSession, getSessionFromCtx } from "better-auth/api";
import { parseSetCookieHeader, toCookieOptions } from "better-auth/cookies";
import { parseSessionOutput, parseUserOutput } from "better-auth/db";
import { needsBetterAuth, plainSessionOptions, sessionPayload, supportsInternals, withoutToken } from "./internals.js";
import * as z from "zod";
import { ONBOARDING_ERROR_CODES } from "./error-codes.js";
import { DEFAULT_PROFILE_FIELDS, type ProfileField } from "./profile-fields.js";
import { readProfile, readSessionWithProfile, toResponse, writeProfile, type SessionRow } from "./store.js";
import type { OnboardingOptions, Profile } from "./types.js";

export { ONBOARDING_ERROR_CODES } from "./error-codes.js";
export {
  CONTRACT,
  COOKIE_PREFIX,
  ERRORS,
  errorCodes,
  JWT_CLAIMS,
  SECURE_SESSION_COOKIE,
  SESSION_CHANGE_PAYLOAD,
  SESSION_COOKIE,
  sessionCookieName,
  type ErrorCode,
} from "./contract.js";
export { jwtPayload, type JwtPayloadOptions, type OnboardingJwtPayload } from "./jwt.js";
export * from "./profile-fields.js";
export { migrateOnboarding, migrateProfileSchema, profileSchemaStatements } from "./schema.js";
export {
  installSessionChangeTriggers,
  sessionChangeStatements,
  SESSION_CHANGE_TABLES,
  SESSION_CHANGE_TRIGGERS,
  SESSION_CHANGES_CHANNEL,
  SESSION_CHANGES_SCHEMA,
} from "./session-changes.js";
export { readProfile, readSessionStandings, readSessionWithProfile, writeProfile, questionsOf } from "./store.js";
export type { SessionRow } from "./store.js";
export { BETTER_AUTH_RANGE, needsBetterAuth, plainSessionOptions, sessionPayload, supportsInternals } from "./internals.js";
export { completenessPredicate, requirementsFingerprint } from "./requirements.js";
export type { OnboardingOptions, Profile, ProfileQuestion, ProfileResponse, Queryable } from "./types.js";

/** An answer to every question, each one of its current values. Strict: unknown keys (such as `onboardingCompleted`) are refused, not ignored. */
export function profileInputFor(fields: readonly ProfileField[]) {
  return z.strictObject(Object.fromEntries(fields.map((f) => [f.name, z.enum(Object.keys(f.values) as [string, ...string[]])])));
}

/** The validator for profile-fields.json's questions. */
export const profileInput = profileInputFor(DEFAULT_PROFILE_FIELDS);

/** INVALID_PROFILE with a sentence naming what is wrong (the code is the contract; the words help a developer). */
function invalidProfile(message: string): APIError {
  return APIError.from("BAD_REQUEST", { code: ONBOARDING_ERROR_CODES.INVALID_PROFILE.code, message });
}

/** Turns a zod failure into one sentence that names the field, e.g. `developerRole: must be one of ...`. */
function describe(issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues[0]!;
  if (issue.code === "unrecognized_keys") return `Unknown field: ${issue.keys.join(", ")}`;
  const field = issue.path.join(".") || "body";
  if (issue.code === "invalid_value") return `${field}: must be one of ${issue.values.join(", ")}`;
  if (issue.code === "invalid_type" && issue.path.length > 0 && issue.input === undefined) return `${field}: is required`;
  return `${field}: ${issue.message}`;
}

async function requireUserId(ctx: Parameters<typeof getSessionFromCtx>[0]): Promise<string> {
  const session = await getSessionFromCtx(ctx);
  if (!session) {
    throw APIError.from("UNAUTHORIZED", ONBOARDING_ERROR_CODES.UNAUTHENTICATED);
  }
  return session.user.id;
}

// The client half exposes /profile as `authClient.profile.get()` / `.update()`; hide the raw path inference.
const CLIENT_ACTION = { isAction: false } as const;

// Built once: constructing an endpoint per request costs as much as the lookup itself.
const betterAuthGetSession = getSession();

type BaseSession = Awaited<ReturnType<typeof getSessionFromCtx>> & {};

type EndpointContext = Parameters<typeof getSessionFromCtx>[0];

/**
 * The common case of get-session in one query (session, user and profile) instead of three: a signed session
 * cookie, a live session that is not due for refresh, plain options, and no query flag or cookie that makes
 * Better-Auth do more. Anything else returns null and goes through Better-Auth's own handler, which stays the
 * authority on refresh, expiry and cookie clean-up.
 */
async function fastSession(ctx: EndpointContext, pool: OnboardingOptions["pool"], fields: readonly ProfileField[]) {
  const { options, authCookies, secret, sessionConfig } = ctx.context;
  const plain =
    supportsInternals(ctx.context.version) &&
    plainSessionOptions(options) &&
    Object.keys(ctx.query ?? {}).length === 0 &&
    !ctx.getCookie(authCookies.sessionData.name) &&
    !ctx.getCookie(authCookies.dontRememberToken.name);
  if (!plain) return null;
  const token = await ctx.getSignedCookie(authCookies.sessionToken.name, secret);
  if (!token) return null;
  const row = await readSessionWithProfile(pool, token, fields);
  if (!row || needsBetterAuth(row, sessionConfig, options)) return null;
  ctx.setHeader("cache-control", "no-store");
  ctx.setHeader("pragma", "no-cache");
  const payload = sessionPayload(options, row);
  // Later hooks and plugins read the session from here, as after Better-Auth's own get-session.
  ctx.context.session = { session: parseSessionOutput(options, row.session), user: parseUserOutput(options, row.user) } as any;
  return payload;
}

export const onboarding = (options: OnboardingOptions) => {
  if (!options?.pool || typeof options.pool.query !== "function") {
    throw new Error("onboarding(): `pool` is required (a node-postgres Pool on the Better-Auth database)");
  }
  const { pool } = options;
  const fields = options.fields ?? DEFAULT_PROFILE_FIELDS;
  const input = profileInputFor(fields);
  const maxBodyBytes = options.maxBodyBytes ?? 1024;

  const rejectBody = (message: string) =>
    Response.json({ code: ONBOARDING_ERROR_CODES.INVALID_PROFILE.code, message }, { status: 400 });

  return {
    id: "onboarding",
    // Only the transport rules, which Better-Auth's router enforces while it reads the body, before any endpoint
    // option or hook can act, and answers with its own codes (415, or 400 BAD_REQUEST for bad JSON): here they carry
    // INVALID_PROFILE like every other refusal of this endpoint. What the body holds is the endpoint's body schema.
    onRequest: async (request, ctx) => {
      if (request.method !== "POST" || new URL(request.url).pathname !== `${ctx.options.basePath ?? "/api/auth"}/profile`) {
        return;
      }
      if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
        return { response: rejectBody("The body must be JSON (Content-Type: application/json)") };
      }
      const text = await request.clone().text();
      if (new TextEncoder().encode(text).length > maxBodyBytes) return { response: rejectBody(`The body is larger than ${maxBodyBytes} bytes`) };
      try {
        JSON.parse(text);
      } catch {
        return { response: rejectBody("The body is not valid JSON") };
      }
    },
    endpoints: {
      getProfile: createAuthEndpoint("/profile", { method: "GET", requireHeaders: true, metadata: CLIENT_ACTION }, async (ctx) => {
        const userId = await requireUserId(ctx);
        return ctx.json(toResponse(await readProfile(pool, userId, fields), fields));
      }),

      updateProfile: createAuthEndpoint(
        "/profile",
        {
          method: "POST",
          requireHeaders: true,
          metadata: CLIENT_ACTION,
          // Better-Auth validates the body against the questions before the handler runs (so a body that is not an
          // answer to every question is refused before the session is looked up); its refusal carries our code.
          body: input,
          onValidationError: ({ issues }) => {
            throw invalidProfile(describe(issues as readonly z.core.$ZodIssue[]));
          },
        },
        async (ctx) => {
          const userId = await requireUserId(ctx);
          return ctx.json(toResponse(await writeProfile(pool, userId, ctx.body as Record<string, string>, fields), fields));
        },
      ),

      // Same path as Better-Auth's own route: plugin endpoints take precedence, as with customSession.
      getSession: createAuthEndpoint(
        "/get-session",
        // CUSTOM_SESSION tells the client to type the session from this endpoint's return value.
        { method: "GET", requireHeaders: true, metadata: { CUSTOM_SESSION: true } }, async (ctx) => {
        const fast = options.fastGetSession === false ? null : await fastSession(ctx, pool, fields);
        if (fast) return ctx.json(fast);
        // Better-Auth's own handler does the cookie checks, refresh and cookie-cache work; we add the profile.
        const { headers, response } = (await betterAuthGetSession({
          ...ctx,
          method: "GET",
          asResponse: false,
          returnHeaders: true,
          headers: ctx.headers,
        } as any)) as unknown as { headers: Headers; response: BaseSession | null };
        // Refreshed session cookies must reach the browser as separate Set-Cookie headers.
        for (const cookie of headers.getSetCookie()) {
          for (const [name, attributes] of parseSetCookieHeader(cookie)) {
            ctx.setCookie(name, attributes.value, toCookieOptions(attributes));
          }
        }
        headers.forEach((value, name) => {
          if (name !== "set-cookie") ctx.setHeader(name, value);
        });
        if (!response) return ctx.json(null);
        const profile = await readProfile(pool, response.user.id, fields);
        return ctx.json({
          ...response,
          session: withoutToken(response.session),
          user: { ...response.user, profileComplete: profile?.onboardingCompleted ?? false },
          profile,
        });
      }),
    },
    $ERROR_CODES: ONBOARDING_ERROR_CODES,
    // Read by the migration (apps/server), so the schema is built for the questions this plugin validates.
    options: { fields },
  } satisfies BetterAuthPlugin;
};

export type OnboardingPlugin = ReturnType<typeof onboarding>;
/** What `get-session` carries with this plugin. */
export type SessionProfileFields = { profile: Profile | null; user: { profileComplete: boolean } };
